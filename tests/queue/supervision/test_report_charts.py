"""The 通报's SVG charts read back as XML: bars to scale, a rate line broken where a value is missing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hall.queue.supervision import report_charts

NS = {"s": "http://www.w3.org/2000/svg"}


def test_bars_are_drawn_to_scale_with_their_values() -> None:
    svg = ET.fromstring(report_charts.bars("办结", ["10月", "11月"], [("办结", [30.0, 45.0])]))
    bars = svg.findall(".//s:rect[@class='bar']", NS)
    heights = [float(b.get("height")) for b in bars]
    assert abs(heights[1] / heights[0] - 1.5) < 0.01  # 45 / 30
    assert [b.find("s:title", NS).text for b in bars] == ["10月 办结: 30", "11月 办结: 45"]
    # The axis runs to 50 (the round number above 45): its top label says so.
    labels = [t.text for t in svg.findall("s:text", NS)]
    assert "50" in labels and "0" in labels
    assert not any(e.get("style") for e in svg.iter())  # the page's policy blocks style=""


def test_a_missing_rate_breaks_the_line() -> None:
    svg = ET.fromstring(
        report_charts.rate_line("满意率", ["a", "b", "c", "d"], [0.9, 0.95, None, 1.0], "满意率")
    )
    points = svg.findall(".//s:circle[@class='point']", NS)
    assert [p.find("s:title", NS).text for p in points] == ["a: 90.00%", "b: 95.00%", "d: 100.00%"]
    lines = svg.findall("s:polyline", NS)
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # a-b; d stands alone
    ys = [float(p.get("cy")) for p in points]
    assert ys[0] > ys[1] > ys[2]  # higher rates are drawn higher up
