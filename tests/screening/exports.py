"""Small exports written for the tests, in the databases' layouts (our own words)."""

from __future__ import annotations

MEDLINE_TWO_RECORDS = b"""PMID- 31000001
OWN - NLM
DP  - 2020 Jan
TI  - Open badges for nurses: a feasibility study.
LID - 10.1000/badges.2020.1 [doi]
AB  - We offered open badges to nurses completing short courses.
FAU - Moreau, Claire
AU  - Moreau C
JT  - Journal of Continuing Education in Nursing
TA  - J Contin Educ Nurs
VI  - 51
IP  - 2
PG  - 221-8

PMID- 31000002
OWN - NLM
DP  - 2021
TI  - Microcredentials for pharmacists.
FAU - Haddad, Rami
AU  - Haddad R
JT  - Pharmacy Education
"""

RIS_TRUNCATED = b"""TY  - JOUR
TI  - A complete record
AU  - Smith, John
PY  - 2020
ER  -

TY  - JOUR
TI  - A record cut off by a broken download
AU  - Doe, Jane
""".replace(b"ER  -\n", b"ER  - \n")

# An XML file damaged inside (a tag closed by another's end tag), with a whole record after the
# damage: it is refused, naming line 6, since reading past it could nest what follows wrongly.
XML_DAMAGED = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle>
<MedlineCitation>
<PMID>31000008</PMID>
<Article><ArticleTitle>A title whose tag is never closed</Article>
</MedlineCitation>
</PubmedArticle>
<PubmedArticle><MedlineCitation><PMID>31000010</PMID><Article><ArticleTitle>Whole</ArticleTitle>
</Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""

# A download cut off mid-record: its records are kept, the cut one as far as it goes, with a
# warning naming line 7 (issue 15; RIS does the same).
XML_CUT_OFF = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle>
<MedlineCitation>
<PMID>31000009</PMID>
<Article><ArticleTitle>A record cut off by a broken download</ArticleTitle>
<Abstract><AbstractText>Cut off in the mid"""
