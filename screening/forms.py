from __future__ import annotations

from django import forms

from . import importers
from .models import Role
from .services.imports import DETAIL_LIMITS, SearchDetails

COMMON_DATABASES = [
    "PubMed", "MEDLINE (Ovid)", "Embase", "ERIC", "Scopus", "Web of Science", "CINAHL",
    "PsycINFO", "Cochrane CENTRAL", "ProQuest", "ClinicalTrials.gov", "Hand searching",
]  # fmt: skip


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=80, required=False, help_text="Leave blank to derive it.")
    reviewers_per_reference = forms.IntegerField(min_value=1, max_value=10, initial=2)
    eligibility_criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)


class SearchImportForm(forms.Form):
    file = forms.FileField(help_text="The file exactly as the database exported it.")
    database = forms.CharField(
        max_length=120,
        widget=forms.TextInput(attrs={"list": "databases", "autocomplete": "off"}),
        help_text="Which database was searched.",
    )
    platform = forms.CharField(max_length=120, required=False, help_text="Ovid, EBSCOhost, ...")
    searched_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Date searched"
    )
    query = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DETAIL_LIMITS["query"],
        help_text="The search strategy.",
    )
    format = forms.ChoiceField(choices=list(importers.FORMAT_LABELS.items()), initial="auto")
    new_search = forms.BooleanField(
        required=False, label="This file is the result of a new search (import it again)"
    )

    def search_details(self) -> SearchDetails:
        """What the reviewer said about the search, once the form is valid."""
        data = self.cleaned_data
        return SearchDetails(
            database=data["database"],
            platform=data["platform"],
            searched_on=data["searched_on"],
            query=data["query"],
            format=data["format"],
            new_search=data["new_search"],
        )
