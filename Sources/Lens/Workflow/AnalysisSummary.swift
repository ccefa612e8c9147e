import Foundation

/// Short readable findings of a `PromptAnalysis`, one line per step.
extension PromptAnalysis {
    /// `"The Eiffel Tower is located in" → " Paris" vs " Pisa"`.
    public var headline: String {
        "\"\(promptCase.prompt)\" → \"\(promptCase.answer)\"" + (promptCase.wrong.map { " vs \"\($0)\"" } ?? "")
    }

    /// The findings, indented by two spaces with a step name column:
    /// prediction, logit lens, attribution and (with a corrupted prompt) patching.
    public var summaryLines: [String] {
        func row(_ name: String, _ text: String) -> String { "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + text }
        var lines: [String] = []
        let p = prediction
        var predicted = "\(quoted(promptCase.answer)) has rank \(p.answerRank), p = \(fmt(p.answerProbability, 2))"
        if p.answerRank != 0, let top = p.top.first { predicted += " (the model prefers \(quoted(top.token)))" }
        if promptCase.wrong != nil { predicted += "; \(metricName) = \(signed(metric))" }
        lines.append(row("prediction", predicted))
        if let first = logitLens.firstTopRow {
            lines.append(row("logit lens", "\(quoted(promptCase.answer)) is the top prediction from \(first.label) on"))
        } else {
            lines.append(row("logit lens", "\(quoted(promptCase.answer)) is never the top prediction"))
        }
        let topLayer = attribution.topLayer
        let heads = attribution.topHeads(3).map { "\($0) \(signed(attribution.headValues[$0.layer][$0.head]))" }
        lines.append(row("attribution", "largest sublayer \(topLayer.label) (\(signed(topLayer.value))); top heads "
                          + heads.joined(separator: ", ")))
        if let patching {
            let cell = patching.topResidCell
            lines.append(row("patching", "resid_pre: " + PatchingRoute(patching).description(tokens: tokens)))
            lines.append(row("", "strongest cell: layer \(cell.layer), pos \(cell.position) \(quoted(tokens[cell.position])) "
                              + "recovers \(fmt(cell.value, 2))"))
            let heads = patching.topHeads(3).map { "\($0) \(fmt(patching.heads[$0.layer][$0.head], 2))" }
            lines.append(row("", "heads (z, all positions): " + heads.joined(separator: ", ")))
        }
        return lines
    }
}

/// `x` with `digits` decimals.
func fmt(_ x: Float, _ digits: Int) -> String { String(format: "%.\(digits)f", Double(x)) }

/// `x` with a sign and two decimals (`+1.25`, `−0.40`).
func signed(_ x: Float) -> String { (x < 0 ? "−" : "+") + String(format: "%.2f", Double(Swift.abs(x))) }
