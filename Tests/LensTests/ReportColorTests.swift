import Lens
import Testing

@Suite struct ReportColorTests {
    @Test func rdBuEndpointsAndCentre() {
        #expect(ColorScale.rdBu.color(at: 0).hex == "#67001f")
        #expect(ColorScale.rdBu.color(at: 0.5).hex == "#f7f7f7")
        #expect(ColorScale.rdBu.color(at: 1).hex == "#053061")
        #expect(ColorScale.rdBu.color(at: -3).hex == "#67001f")
        #expect(ColorScale.rdBu.color(at: 7).hex == "#053061")
    }

    /// Halfway between the first two stops (103,0,31) and (178,24,43): channel means rounded
    /// half away from zero -> (141,12,37).
    @Test func interpolatesLinearlyBetweenStops() {
        #expect(ColorScale.rdBu.color(at: 0.05) == RGBColor(141, 12, 37))
        #expect(ColorScale.blues.color(at: 0).hex == "#f7fbff")
        #expect(ColorScale.blues.color(at: 1).hex == "#08306b")
    }

    /// Plotly `color_continuous_midpoint=0`: the range is ±max|v|, so -max is dark red, 0 the
    /// centre and +max dark blue even when the data are not symmetric.
    @Test func divergingMappingIsCentredOnZero() {
        let mapping = ColorMapping.diverging([-3, 0.5, 2, .nan])
        #expect(mapping.lower == -3 && mapping.upper == 3)
        #expect(mapping.color(-3).hex == "#67001f")
        #expect(mapping.color(0).hex == "#f7f7f7")
        #expect(mapping.color(3).hex == "#053061")
        #expect(mapping.color(2).hex != mapping.color(-2).hex)
        #expect(ColorMapping.diverging([0, 0]).upper == 1)
        #expect(ColorMapping.diverging([1], limit: 5).lower == -5)
    }

    @Test func luminanceSeparatesDarkFromLight() {
        #expect(RGBColor(5, 48, 97).luminance < 0.5)
        #expect(RGBColor(247, 247, 247).luminance > 0.5)
    }
}
