"""The methods paragraph of a review's screening, in plain text, to paste into a report.

What it says is read from the rows, as PRISMA's counts are: how many reviewers decided each
record and whether blind, their agreement, the order each stage was screened in (with the
ranking model's settings when ranked), and the lead's stop with its method, figures and reason,
or that every record was screened. `methods_paragraphs` is pure (plain values in, text out);
`methods_text` gathers the values for a project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from .. import agreement
from ..models import Project, Ranking, ScreeningStop, Vote
from ..ranking.features import FeatureSettings
from ..ranking.model import ModelSettings
from ..selectors import conflicts
from ..selectors.stopping import stopped_count
from ..vocabulary import Order, Stage

MODEL_NAMES = {
    "logreg": "logistic regression",
    "svm": "linear support vector machine",
    "nb": "complement naive Bayes",
}


# The order a vote was cast in (Vote.order), as the paragraph says it.
ORDER_WORDS = {
    Order.RANKED.value: "ranked order",
    Order.IMPORT.value: "import order",
    Order.RANDOM.value: "random order (pilot rounds and stopping samples)",
}


@dataclass(frozen=True)
class StageFacts:
    label: str
    blind: bool
    order: str  # the stage's order now (vocabulary.Order)
    votes_by_order: dict[str, int]
    pairs: int  # references with two or more votes, over which agreement is counted
    percent_agreement: float | None
    kappa: float | None
    ranking_model: str = ""  # the newest ranking's: a model's name, "similarity" or "import"
    ranking_at: datetime | None = None
    ranking_includes: int = 0
    ranking_excludes: int = 0


@dataclass(frozen=True)
class StopFacts:
    decided_at: datetime
    method: str
    reason: str
    summary: str
    stopped: int
    supported: bool | None


@dataclass(frozen=True)
class MethodsFacts:
    reviewers_per_reference: int
    second_reviewer_share: int
    retrain_every: int
    stages: list[StageFacts]
    features: FeatureSettings = field(default_factory=FeatureSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    stop: StopFacts | None = None


def _who(facts: MethodsFacts) -> str:
    n = facts.reviewers_per_reference
    if n == 1 and facts.second_reviewer_share:
        return (
            f"by one reviewer, and by a second reviewer independently on a random "
            f"{facts.second_reviewer_share} % of the records"
        )
    if n == 1:
        return "by one reviewer"
    return f"by {'two' if n == 2 else n} reviewers independently"


def _features_text(settings: FeatureSettings) -> str:
    parts = [
        f"word 1-{settings.ngram_max}-grams" if settings.ngram_max > 1 else "single words",
        f"terms in at least {settings.min_df} records and at most {settings.max_df:.0%} of them",
    ]
    if settings.stop_words:
        parts.append(f"{settings.stop_words.capitalize()} stop words removed")
    if settings.sublinear_tf:
        parts.append("sublinear term frequency")
    if settings.char_ngram_max:
        parts.append(
            f"character n-grams up to {settings.char_ngram_max} weighted {settings.char_weight:g}"
        )
    return ", ".join(parts)


def _model_text(settings: ModelSettings) -> str:
    name = MODEL_NAMES.get(settings.model, settings.model)
    text = f"a {name} (C = {settings.C:g}"
    if settings.include_ratio:
        text += f"; includes weighted {settings.include_ratio:g} against the excludes together"
    if settings.oversample_to:
        text += f"; includes oversampled to {settings.oversample_to:.0%} of the training rows"
    return text + ")"


def _order_text(stage: StageFacts, facts: MethodsFacts) -> str:
    counted = ", ".join(
        f"{stage.votes_by_order[order]:,} in {words}"
        for order, words in ORDER_WORDS.items()
        if stage.votes_by_order.get(order)
    )
    votes = f" Of the votes, {counted}." if counted else ""
    if stage.order != Order.RANKED:
        return f"References were presented in the order they were imported.{votes}"
    text = (
        "References were presented in ranked order (prioritised screening): the records most "
        "likely to be included first, by "
        f"{_model_text(facts.model)} on TF-IDF features of title, abstract and keywords "
        f"({_features_text(facts.features)}), trained on settled decisions only (agreements "
        "and lead resolutions, never an open vote), and retrained after every "
        f"{facts.retrain_every} settled decisions; before any settled include and exclude, by "
        "likeness to the eligibility criteria, the include terms and the lead's seed references."
    )
    if stage.ranking_at is not None:
        text += (
            f" The newest ranking ({stage.ranking_at:%d %B %Y}, "
            f"{stage.ranking_model}) learnt from {stage.ranking_includes:,} includes and "
            f"{stage.ranking_excludes:,} excludes."
        )
    return text + votes


def _stage_text(stage: StageFacts, facts: MethodsFacts) -> str:
    blind = ", blinded to each other's decisions" if stage.blind else ""
    text = (
        f"{stage.label}: each record was screened {_who(facts)}{blind}; disagreements were "
        "resolved by a lead."
    )
    if stage.kappa is not None and stage.percent_agreement is not None:
        text += (
            f" Agreement over the {stage.pairs:,} records screened by two or more reviewers: "
            f"{stage.percent_agreement:.1f} % (Cohen's kappa {stage.kappa:.2f})."
        )
    return f"{text} {_order_text(stage, facts)}"


def _stop_text(stop: StopFacts | None, ranked: bool) -> str:
    if stop is None:
        if ranked:
            return (
                "Stopping: no stopping rule was applied; every record was screened (or is still "
                "being screened)."
            )
        return "Stopping: no stopping rule was applied; every record was screened."
    text = (
        f"Stopping: on {stop.decided_at:%d %B %Y} the lead stopped title and abstract screening "
        f"on the evidence of a {stop.method}. {stop.summary}"
    )
    if stop.supported is False:
        text += " The test did not support stopping at the target; the lead stopped regardless."
    return (
        f"{text} Reason given: “{stop.reason}”. The {stop.stopped:,} records left unscreened are "
        "reported as records marked as ineligible by automation tools in the PRISMA flow diagram."
    )


def methods_paragraphs(facts: MethodsFacts) -> str:
    """The methods of screening as plain text, one paragraph per stage and one for stopping."""
    paragraphs = [_stage_text(stage, facts) for stage in facts.stages]
    ranked = any(stage.order == Order.RANKED for stage in facts.stages)
    paragraphs.append(_stop_text(facts.stop, ranked))
    return "\n\n".join(paragraphs) + "\n"


def methods_facts(project: Project) -> MethodsFacts:
    """What the methods paragraph says of `project`, read from its rows."""
    stages = []
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        found = agreement.agreement_report(conflicts.votes_by_reference(project, stage))
        by_order = dict(
            Vote.objects.filter(project=project, stage=stage, reference__merged_into__isnull=True)
            .values_list("order")
            .annotate(n=Count("id"))
            .order_by()
        )
        newest = Ranking.objects.filter(project=project, stage=stage).order_by("-id").first()
        stages.append(
            StageFacts(
                label=stage.label,
                blind=stage in project.blinding.blind_stages,
                order=project.order_at(stage).value,
                votes_by_order=by_order,
                pairs=found.references,
                percent_agreement=found.percent_agreement,
                kappa=found.cohen_kappa,
                ranking_model=newest.model if newest else "",
                ranking_at=newest.created_at if newest else None,
                ranking_includes=newest.includes if newest else 0,
                ranking_excludes=newest.excludes if newest else 0,
            )
        )
    stop = (
        ScreeningStop.objects.filter(
            project=project, stage=Stage.TITLE_ABSTRACT, reversed_at__isnull=True
        )
        .order_by("-id")
        .first()
    )
    return MethodsFacts(
        reviewers_per_reference=project.reviewers_per_reference,
        second_reviewer_share=project.second_reviewer_share,
        retrain_every=project.ranking_retrain_every,
        stages=stages,
        stop=StopFacts(
            decided_at=stop.decided_at,
            method=stop.method,
            reason=stop.reason,
            summary=stop.evidence.get("summary", ""),
            stopped=stopped_count(project, Stage.TITLE_ABSTRACT),
            supported=stop.evidence.get("stop_supported"),
        )
        if stop is not None
        else None,
    )


def methods_text(project: Project) -> str:
    return methods_paragraphs(methods_facts(project))
