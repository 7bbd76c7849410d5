"""The explorer's exports: up to 10,000 approved observations as CSV and as XLSX, read in chunks as the
export views read them (on "seed" the whole seed is exported: every approved figure there is)."""

from __future__ import annotations

import csv
import io

import pytest

from benchmarks.data import Dataset
from tracker import exports
from tracker.choices import ObservationState
from tracker.selectors.explorer import explorer_observations

N_ROWS = 10_000


def export_csv(user) -> bytes:
    rows = explorer_observations(user=user).filter(state=ObservationState.APPROVED)[:N_ROWS]
    return "".join(exports.csv_lines(rows)).encode()


def export_xlsx(user) -> bytes:
    rows = explorer_observations(user=user).filter(state=ObservationState.APPROVED)[:N_ROWS]
    return exports.xlsx_bytes(rows, filters=[], title="Benchmark export")


@pytest.mark.benchmark(group="explorer_export")
@pytest.mark.parametrize("export, rounds", [(export_csv, 2), (export_xlsx, 2)], ids=["csv", "xlsx"])
def test_explorer_export(benchmark, dataset: Dataset, analyst, export, rounds):
    expected_rows = min(dataset.observations, N_ROWS)

    content = benchmark.pedantic(export, args=(analyst,), rounds=rounds, warmup_rounds=0)

    if export is export_csv:
        assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == expected_rows + 1  # + header
    else:
        assert content.startswith(b"PK")
