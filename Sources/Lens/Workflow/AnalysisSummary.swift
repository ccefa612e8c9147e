import Foundation

/// Short readable findings of a `PromptAnalysis`, one line per step.
extension PromptAnalysis {
    /// `"The Eiffel Tower is located in" → " Paris" vs " Pisa"`.
    public var headline: String {
        "\"\(promptCase.prompt)\" → \"\(promptCase.answer)\"" + (promptCase.wrong.map { " vs \"\($0)\"" } ?? "")
    }

    /// The findings, one `(step, text)` per line: prediction (✓ only when the answer is the top prediction),
    /// logit lens, attribution and (with a corrupted prompt) patching, which takes three lines.
    public var summaryItems: [(step: String, text: String)] {
        var items: [(step: String, text: String)] = []
        let p = prediction
        var predicted = (p.answerRank == 0 ? "✓ " : "✗ ")
            + "\(quoted(promptCase.answer)) has rank \(p.answerRank), p = \(fmt(p.answerProbability, 2))"
        if p.answerRank != 0, let top = p.top.first { predicted += " (the model prefers \(quoted(top.token)))" }
        if promptCase.wrong != nil { predicted += "; \(metricName) = \(signed(metric))" }
        items.append(("prediction", predicted))
        if let first = logitLens.firstTopRow {
            items.append(("logit lens", "\(quoted(promptCase.answer)) is the top prediction from \(first.label) on"))
        } else {
            items.append(("logit lens", "\(quoted(promptCase.answer)) is not the final top prediction"))
        }
        let topLayer = attribution.topLayer
        let heads = attribution.topHeads(3).map { "\($0) \(signed(attribution.headValues[$0.layer][$0.head]))" }
        items.append(("attribution", "largest sublayer \(topLayer.label) (\(signed(topLayer.value))); top heads "
                      + heads.joined(separator: ", ")))
        if let patching {
            let cell = patching.topResidCell
            items.append(("patching", "resid_pre: " + PatchingRoute(patching).description(tokens: tokens)))
            items.append(("patching", "strongest resid_pre cell: layer \(cell.layer), pos \(cell.position) "
                          + "\(quoted(tokens[cell.position])) recovers \(fmt(cell.value, 2))"))
            let heads = patching.topHeads(3).map { "\($0) \(fmt(patching.heads[$0.layer][$0.head], 2))" }
            items.append(("patching", "heads (z, all positions): " + heads.joined(separator: ", ")))
        }
        return items
    }

    /// `summaryItems` as text lines indented by two spaces, the step name in a column (shown once per step).
    public var summaryLines: [String] {
        var previous = ""
        return summaryItems.map { item in
            defer { previous = item.step }
            let name = item.step == previous ? "" : item.step
            return "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + item.text
        }
    }
}

/// `x` with `digits` decimals.
func fmt(_ x: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", Double(x)) }

/// `x` with a sign and two decimals (`+1.25`, `−0.40`).
func signed(_ x: Float) -> String { (x < 0 ? "−" : "+") + String(format: "%.2f", Double(Swift.abs(x))) }
