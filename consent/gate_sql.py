"""The consent gate as one SQL statement: which of many donors it PERMITS, for counting and releasing at scale.

``consent.gate.permitted_many`` folds every act in Python (about 1 s per 10,000 donors, docs/performance.md); a
feasibility count over a million specimens or a release of 100,000 needs the answer inside PostgreSQL. This module
builds the same answer as ``permitted_many(..., unknown_is_denied=True, as_known_at=None)`` — knowledge as of now —
as a **subquery** of donor ids a caller embeds (``... WHERE s.donor_id IN (<sql>)``), or runs it for a set of ids.

The statement follows ``consent.gate`` and ``consent.timeline`` rule for rule:

1. **The whole person**: each asked donor walks up its merge chain to the current donor, then down to every member
   of that family (the recursive query of ``gate._FAMILY_SQL``); the family's acts answer. A donor in no merge at
   all (neither merged into another nor another merged into it: nearly every donor) is its own family and skips
   the walk (``gate_solo``): only the asked donors among the few in any merge (``gate_tangled``) walk. The planner
   cannot estimate a recursive query; at a million specimens it chose one index probe per donor for a walk of
   186,670 rows estimated as 44 (docs/performance.md, "Feasibility").
2. **Acts effective by ``at``** (``valid_from <= at``), without the signature acts of consents with an APPROVED
   invalidation (a withdrawal recorded through such a form stays: it is the donor's own act).
3. **The fold** per family and policy code: ``DISTINCT ON`` with the order of ``timeline._order`` — decisive acts
   (withdrawn, refused, declined, accepted) before unanswered ones, then latest effective date, latest recorded,
   most restrictive, shortest validity. An acceptance past its last day is expired.
4. **Which codes answer**: a policy question asks one code (optionally of one biobank); a DUO question every code
   with any version of the asked classes and action.
5. **DUO**: whether a policy covers the purpose (``duo_covers``) and whether its terms APPROVE it (``duo_match``)
   depends only on the policy and the question, so it is computed in Python once per policy (there are few) and
   passed in as two arrays of policy ids. PERMITTED iff no decision is denying on a covering policy and at least
   one is an acceptance on an approving policy — exactly when ``_duo_answer`` returns PERMITTED (ABSTAIN and
   UNKNOWN never permit).

Full ties of the fold (same dates, state and validity on two versions of one code) are broken by the act id here;
``timeline.decide`` takes whichever the database returned first. Real signatures of one code sit on one version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from biobank.pg import planner_settings

from .choices import PolicyStateValue as S
from .duo import Match, duo_covers, duo_match
from .gate import Question, question
from .models import Policy
from .timeline import DENYING, RESTRICTIVENESS

_DECISIVE = ", ".join(f"'{state}'" for state in RESTRICTIVENESS)
_DENYING = ", ".join(f"'{state}'" for state in sorted(DENYING))
_RANK = " ".join(f"WHEN '{state}' THEN {rank}" for state, rank in RESTRICTIVENESS.items())

# The invalidated consents are one uncorrelated subquery, hashed once: as a correlated EXISTS it ran once per act
# read (190,480 times at a million specimens, docs/performance.md, "Fourth pass"). A signature act always names its
# consent and an invalidation always names one (both NOT NULL for these rows), so IN answers as EXISTS did.
# {donors}: the caller's subquery of asked donor ids; the statement's own CTEs are named gate_* so that they never
# shadow a caller's (a caller's CTE named like one of them made PostgreSQL refuse the statement). The answering
# policies are a parameter (``_policy_sets``). Only this module's constants are formatted in; every value is a
# parameter.
_GATE_SQL = f"""
WITH RECURSIVE gate_asked(id) AS (
    SELECT DISTINCT x.id FROM ({{donors}}) AS x(id)
), gate_tangled(id) AS (
    SELECT id FROM consent_donor WHERE merged_into_id IS NOT NULL
    UNION
    SELECT merged_into_id FROM consent_donor WHERE merged_into_id IS NOT NULL
), gate_solo(id) AS (
    SELECT id FROM gate_asked WHERE id NOT IN (SELECT id FROM gate_tangled)
), gate_up(asked, id, merged_into, depth) AS (
    SELECT d.id, d.id, d.merged_into_id, 0 FROM gate_tangled t JOIN consent_donor d ON d.id = t.id
     WHERE t.id IN (SELECT id FROM gate_asked)
    UNION ALL
    SELECT gate_up.asked, d.id, d.merged_into_id, gate_up.depth + 1
      FROM gate_up JOIN consent_donor d ON d.id = gate_up.merged_into WHERE gate_up.depth < 1000
), gate_merged_roots AS (
    SELECT asked, id AS root FROM gate_up WHERE merged_into IS NULL
), gate_down(root, id, depth) AS (
    SELECT DISTINCT root, root, 0 FROM gate_merged_roots
    UNION ALL
    SELECT gate_down.root, d.id, gate_down.depth + 1
      FROM gate_down JOIN consent_donor d ON d.merged_into_id = gate_down.id WHERE gate_down.depth < 1000
), gate_roots(asked, root) AS (
    SELECT id, id FROM gate_solo UNION ALL SELECT asked, root FROM gate_merged_roots
), gate_family(root, id) AS (
    SELECT id, id FROM gate_solo UNION ALL SELECT root, id FROM gate_down
), gate_decisions AS (
    SELECT DISTINCT ON (gate_family.root, p.code) gate_family.root, ps.policy_id,
           CASE WHEN ps.state = '{S.ACCEPTED}' AND ps.valid_to < %s THEN '{S.EXPIRED}' ELSE ps.state END AS state
      FROM gate_family
      JOIN consent_policystate ps ON ps.donor_id = gate_family.id
      JOIN consent_policy p ON p.id = ps.policy_id
     WHERE ps.valid_from <= %s
       AND ps.policy_id = ANY(%s::bigint[])
       AND NOT (ps.origin = 'signature' AND ps.consent_id IN (
           SELECT inv.consent_id FROM consent_consentinvalidation inv WHERE inv.status = 'approved'))
     ORDER BY gate_family.root, p.code, (ps.state IN ({_DECISIVE})) DESC, ps.valid_from DESC, ps.recorded_at DESC,
              CASE ps.state {_RANK} ELSE 9 END, ps.valid_to ASC NULLS LAST, ps.id
)
SELECT gate_roots.asked
  FROM gate_roots JOIN gate_decisions dec ON dec.root = gate_roots.root
 GROUP BY gate_roots.asked
HAVING bool_or(dec.state = '{S.ACCEPTED}' AND dec.policy_id = ANY(%s::bigint[]))
   AND NOT coalesce(bool_or(dec.state IN ({_DENYING}) AND dec.policy_id = ANY(%s::bigint[])), false)
"""  # noqa: S608


def policy_sets(asked: Question) -> tuple[list[int], list[int]]:
    """``(approving, covering)`` policy ids for the question: an acceptance of an approving policy permits, a denial
    of a covering one denies (one query over the policies of the answering codes)."""
    _answering, approving, covering = _policy_sets(asked)
    return approving, covering


def _policy_sets(asked: Question) -> tuple[list[int], list[int], list[int]]:
    """``(answering, approving, covering)``: ``answering`` are the policies whose acts answer the question — the
    asked code (of the asked biobank), or every code of the asked classes and action, of any biobank — which the
    statement reads by ``(donor_id, policy_id)`` (index ``policystate_donor_policy``) instead of reading every act
    of a donor and dropping the others."""
    policies = Policy.objects.order_by()
    if asked.policy_code is not None:
        # A policy question: every acceptance of the code permits and every denial denies.
        policies = policies.filter(code=asked.policy_code)
        if asked.policy_biobank_id is not None:
            policies = policies.filter(biobank_id=asked.policy_biobank_id)
        ids = list(policies.values_list("id", flat=True))
        return ids, ids, ids
    codes = Policy.objects.filter(data_class__in=asked.data_classes, action=asked.action).values("code")
    answering, approving, covering = [], [], []
    purpose = asked.purpose or ""
    for pk, stored_terms, stored_disease in policies.filter(code__in=codes).values_list(
        "id", "duo_terms", "duo_disease"
    ):
        answering.append(pk)
        terms, disease = tuple(stored_terms or ()), stored_disease or ""
        if duo_covers(purpose=purpose, terms=terms, disease=asked.disease, policy_disease=disease) != Match.DENY:
            covering.append(pk)
        match, _conditions = duo_match(
            purpose=purpose,
            terms=terms,
            disease=asked.disease,
            policy_disease=disease,
            for_profit_organisation=asked.for_profit_organisation,
            commercial_use=asked.commercial_use,
            methods_development=asked.methods_development,
        )
        if match == Match.APPROVE:
            approving.append(pk)
    return answering, approving, covering


def permitted_donor_ids_sql(
    *, donors_sql: str, donors_params: Sequence[Any], at: date | None = None, **ask: Any
) -> tuple[str, list[Any]]:
    """``(sql, params)`` selecting those donor ids of ``donors_sql`` (a query with one column of donor ids) that the
    gate PERMITS for the question ``ask`` (the arguments of ``gate.question``: ``duo_purpose=``, ``data_class=``,
    ``action=``, flags — or ``policy=``) on ``at`` (default today), as known now, unknown counting as denied.
    Embed it: ``... WHERE s.donor_id IN (<sql>)``. Costs one small query over the policies when built."""
    asked = question(**ask)
    at = at or timezone.localdate()
    answering, approving, covering = _policy_sets(asked)
    sql = _GATE_SQL.replace("{donors}", donors_sql)
    return sql, [*donors_params, at, at, answering, approving, covering]


def permitted_donor_ids(
    *,
    donor_ids: Iterable[int] | None = None,
    queryset: QuerySet | None = None,
    at: date | None = None,
    **ask: Any,
) -> set[int]:
    """The asked donor ids (``donor_ids``, or the primary keys of a donor ``queryset``) that the gate PERMITS: the
    allowed ones of ``gate.permitted_many`` for the same question, in two queries whatever their number."""
    if (donor_ids is None) == (queryset is None):
        raise ValueError("Give exactly one of donor_ids= or queryset=.")
    if queryset is not None:
        # A slice (one batch of a release) keeps its order, which chooses its rows; an empty queryset asks nobody.
        ids = queryset.values("pk") if queryset.query.is_sliced else queryset.order_by().values("pk")
        try:
            donors_sql, params = ids.query.sql_with_params()
        except EmptyResultSet:
            return set()
        donors_params: list[Any] = list(params)
    else:
        donors_sql, donors_params = "SELECT unnest(%s::bigint[])", [list(dict.fromkeys(donor_ids or ()))]
    sql, all_params = permitted_donor_ids_sql(donors_sql=donors_sql, donors_params=donors_params, at=at, **ask)
    with transaction.atomic(), connection.cursor() as cursor, planner_settings(cursor, **NO_JIT):
        cursor.execute(sql, all_params)
        return {row[0] for row in cursor.fetchall()}


# PostgreSQL's JIT off for the gate's statement (``biobank.pg.planner_settings(cursor, **NO_JIT)``). The recursive
# family walk makes the planner overestimate the statement (cost ~580,000 for 100,000 donors), so JIT compiles it:
# about 0.55 s of a 1.9 s count in EXPLAIN ANALYZE (docs/performance.md). Callers that embed the subquery do the same.
NO_JIT = {"jit": "off"}


def jit_off(cursor: Any) -> None:
    """Switch JIT off for the rest of the transaction (the benchmarks' EXPLAIN of the gate statement)."""
    cursor.execute("SET LOCAL jit = off")
