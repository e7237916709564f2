"""`manage.py simulate_ranking FILE.csv`: replay a labelled review through the app's ranker.

Thin: screening.ranking.replay reads the file, draws or checks the priors and replays; this
command turns their errors into CommandError (a message, never a traceback) and writes the JSON.
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.ranking.replay import (
    DatasetError,
    Replay,
    dataset_read,
    priors_check,
    priors_choose,
    replay,
)


def app_version() -> str:
    try:
        return version("reviewtool")
    except PackageNotFoundError:
        return "unknown"


class Command(BaseCommand):
    help = (
        "Replay a labelled review (CSV with title, abstract, label_included) through the ranker "
        "the app serves, with its settings, retraining after every label: the order the records "
        "would have been shown in (0-based rows in file order, the two priors first, every row "
        "once) and WSS@95, recall after 10 % and 25 % screened and ATD, after removing the "
        "priors. Without --out a summary is printed; --out FILE writes the JSON, --out - prints it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            help="the labelled review: CSV in UTF-8 (a byte-order mark allowed) with the columns "
            "title, abstract and label_included in any order (keywords read when present, "
            "others ignored); a label is 1 or 0, also 1.0/0.0, true/false or yes/no",
        )
        parser.add_argument(
            "--prior-idx",
            nargs=2,
            type=int,
            metavar=("INC", "EXC"),
            help="the prior include and exclude, 0-based rows in file order "
            "(without it they are drawn with --seed)",
        )
        parser.add_argument(
            "--n-prior-included",
            type=int,
            default=1,
            help="prior includes to draw when --prior-idx is not given (default 1)",
        )
        parser.add_argument(
            "--n-prior-excluded",
            type=int,
            default=1,
            help="prior excludes to draw when --prior-idx is not given (default 1)",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="seed of the priors' draw and the model (default 0)"
        )
        parser.add_argument(
            "--refit-every",
            type=int,
            default=1,
            metavar="K",
            help="retrain after every K labels (default 1, as the benchmark)",
        )
        parser.add_argument("--out", help="write the JSON here ('-' for standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refit_every"] < 1:
            raise CommandError("--refit-every must be 1 or more.")
        try:
            dataset = dataset_read(options["file"])
        except DatasetError as error:
            raise CommandError(str(error)) from error
        labels, seed = dataset.labels, options["seed"]
        try:
            if options["prior_idx"]:
                include, exclude = options["prior_idx"]
                priors_check(labels, include, exclude)
                priors = [include, exclude]
            else:
                priors = priors_choose(
                    labels,
                    seed,
                    n_included=options["n_prior_included"],
                    n_excluded=options["n_prior_excluded"],
                )
        except ValueError as error:
            raise CommandError(f"{options['file']}: {error}.") from error
        result = replay(
            dataset.texts,
            labels,
            priors=priors,
            seed=seed,
            refit_every=options["refit_every"],
        )
        document = result.to_json(app_version())
        out = options["out"]
        if out == "-":
            self.stdout.write(json.dumps(document))
            return
        if out:
            try:
                Path(out).write_text(json.dumps(document) + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{out}: cannot be written ({error.strerror}).") from error
        self.stdout.write(self._summary(options["file"], result, out))

    @staticmethod
    def _summary(file: str, result: Replay, out: str | None) -> str:
        m = result.metrics
        lines = [
            f"{file}: {result.records:,} records, {result.includes:,} includes; priors "
            f"{', '.join(map(str, result.priors))}; seed {result.seed}; "
            f"{result.model.model}, refit every {result.refit_every}; {result.seconds:.1f} s",
            f"WSS@95 {m.wss95:.3f}  recall@10% {m.recall10:.3f}  "
            f"recall@25% {m.recall25:.3f}  ATD {m.atd:.3f}",
        ]
        if out:
            lines.append(f"The order and the measures are in {out}.")
        return "\n".join(lines)
