"""The Compress table and charts from a report dict (no TensorFlow): numbers rounded to what they mean, the
chart's points named by a legend rather than overprinting labels, and the two panels placeable apart."""

from core.compress.charts import accuracy_panels, accuracy_size_latency_chart, report_table


def _variant(method, runtime, acc, size, latency, delta=None, band=None):
    return {
        "method": method,
        "runtime": runtime,
        "status": "complete",
        "delta_accuracy_pp": delta,
        "noise_band_pp": band,
        "metrics": {"validation": {"accuracy": acc, "f1": acc - 0.001}},
        "cost": {
            "size_bytes": size,
            "gzip_bytes": size * 0.9,
            "latency_ms_p50": latency,
            "latency_ms_p95": latency * 1.5,
            "rows_per_s": 1000 / latency,
            "n_params": 101_770,
            "peak_memory_mb": 12.345678,
            "build_time_s": 0.123456,
        },
    }


REPORT = {
    "original": _variant("original", "keras", 0.959259259259, 1_239_486.1713, 1.38512345),
    "variants": [
        _variant("float32", "litert", 0.959259259259, 239_486.1713, 0.0065123, 0.0, [0.0, 0.0]),
        _variant("int8", "litert", 0.937037037, 61_234.0, 0.00512345, -2.22222222222, [-4.2685185185, 0.370370370]),
        {"method": "int8-full", "runtime": "litert", "status": "failed"},
    ],
}


def test_table_rounds_each_number_to_what_it_means():
    table = report_table(REPORT)
    assert list(table["method"]) == ["original", "float32", "int8"]  # the failed variant has no row
    assert list(table["accuracy"]) == ["95.93%", "95.93%", "93.70%"]
    assert list(table["Δ accuracy"]) == ["", "+0.00 pp", "-2.22 pp"]
    assert list(table["Δ band (pp)"]) == ["", "+0.00 to +0.00", "-4.27 to +0.37"]  # the paired bootstrap band
    assert list(table["size"]) == ["1.18 MiB", "233.9 KiB", "59.8 KiB"]
    assert list(table["latency p50"]) == ["1.39 ms", "0.00651 ms", "0.00512 ms"]
    assert table.loc[0, "parameters"] == "101,770" and table.loc[0, "build time"] == "0.123 s"


def test_chart_names_methods_in_a_legend_without_point_labels():
    spec = accuracy_size_latency_chart(REPORT).to_dict()
    for panel in spec["hconcat"]:
        marks = [layer["mark"]["type"] for layer in panel["layer"]]
        assert "text" not in marks  # labels of close variants overprinted each other
        points = panel["layer"][marks.index("point")]
        assert points["encoding"]["color"]["field"] == "method"
        assert points["encoding"]["shape"]["field"] == "runtime"
    left, right = accuracy_panels(REPORT)
    assert left.to_dict()["layer"][1]["encoding"]["x"]["field"] == "size_bytes"
    assert right.to_dict()["layer"][1]["encoding"]["x"]["field"] == "latency_ms_p50"
