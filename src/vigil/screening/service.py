"""The screening service: what a compliance team runs every day, over one store.

- :meth:`ScreeningService.screen` — one query, ranked hits with explanations.
- :meth:`ScreeningService.screen_file` — a customer file in, a results file out, optionally
  alerts raised; a screening run with its list versions and thresholds is recorded.
- :meth:`ScreeningService.load_customers` — the monitored customer base (updates by id), screened
  in full against the current lists on load.
- :meth:`ScreeningService.import_and_rescreen` / :meth:`rescreen_changes` — after every list
  import, the monitored base is screened against only the added and changed designations;
  removed designations close their open alerts as delisted; allowlist entries of changed parties
  are revoked so their alerts come back.

The matcher over the current lists is built once per set of current list versions and cached
in memory and on disk (``$VIGIL_HOME/cache``), so a new process does not rebuild it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vigil.crypto.screening import AddressIndex, AddressMatch
from vigil.lists.importing import ImportOutcome, import_files
from vigil.match.engine import MatchConfig, Matcher
from vigil.match.index import MatchIndex
from vigil.match.parallel import screen_parallel
from vigil.match.types import Explanation, Hit, Query
from vigil.model import Party
from vigil.model.groups import group_parties
from vigil.screening.files import ColumnMapping, InputRecord, ReadReport, ResultWriter, read_records
from vigil.store.base import Store
from vigil.store.workflow import AlertItem, AlertKind, Customer, RaiseResult, UpsertResult

if TYPE_CHECKING:
    from vigil.crypto.exposure import ExposureResult

__all__ = ["BatchSummary", "RescreenSummary", "ScreeningService", "crypto_hits"]

log = logging.getLogger(__name__)

_CACHE_FORMAT = 1
_CHUNK = 2_000


@dataclass(kw_only=True)
class BatchSummary:
    run_id: int
    rows: int
    rows_with_hits: int
    hits: int
    alerts_created: int
    alerts_updated: int
    seconds: float
    report: ReadReport
    output: Path


@dataclass(kw_only=True)
class RescreenSummary:
    run_id: int | None
    customers: int
    groups_screened: int
    alerts_created: list[int] = field(default_factory=list)
    alerts_updated: list[int] = field(default_factory=list)
    alerts_delisted: list[int] = field(default_factory=list)
    allow_revoked: list[int] = field(default_factory=list)
    seconds: float = 0.0


def _customer_query(customer: Customer) -> Query:
    return Query(
        name=customer.name,
        schema=customer.schema,
        dob=customer.dob,
        country=customer.country,
        identifiers=list(customer.identifiers),
        id=customer.id,
    )


def _record_customer(record: InputRecord) -> Customer:
    query = record.query
    return Customer(
        id=record.id,
        name=query.name,
        schema=query.schema,
        dob=query.dob,
        country=query.country,
        identifiers=tuple(query.identifiers),
        data={"row": record.row},
    )


def _query_dict(query: Query) -> dict[str, Any]:
    return {
        "name": query.name,
        "schema": query.schema,
        "dob": query.dob,
        "country": query.country,
        "identifiers": list(query.identifiers),
    }


@dataclass(slots=True)
class _CryptoExplanation(Explanation):
    """An exact address match (or an invalid address): its text is the sentence itself."""

    sentence: str = ""

    def text(self) -> str:
        return self.sentence


@dataclass(frozen=True, slots=True)
class _CryptoLists:
    """The address index of one set of list versions, with the group of every party."""

    index: AddressIndex
    group_of: dict[str, str]
    group_refs: dict[str, list[str]]
    group_parties: dict[str, list[str]]
    schema_of: dict[str, str]


def _crypto_lists(parties: Iterable[Party], index: AddressIndex | None = None) -> _CryptoLists:
    party_list = list(parties)
    group_of = group_parties(party_list)
    refs: dict[str, set[str]] = {}
    members: dict[str, list[str]] = {}
    for party in party_list:
        group = group_of.get(party.id, party.id)
        refs.setdefault(group, set()).update(party.authority_refs)
        members.setdefault(group, []).append(party.id)
    return _CryptoLists(
        index=index if index is not None else AddressIndex.from_parties(party_list),
        group_of=group_of,
        group_refs={g: sorted(r) for g, r in refs.items()},
        group_parties={g: sorted(m) for g, m in members.items()},
        schema_of={p.id: p.schema for p in party_list},
    )


def crypto_hits(
    lists: _CryptoLists, address: str, index: AddressIndex | None = None
) -> tuple[AddressMatch, list[Hit]]:
    """Screen one address exactly: its match and one hit per listed group holding it.

    An invalid address gives no hit (it is never matched); ``listed_invalid`` (the listed
    string itself, which does not validate) gives hits that say so.
    """
    result = (index or lists.index).lookup(address)
    if not result.hit:
        return result, []
    check = result.check
    hits: dict[str, Hit] = {}
    for listing in result.listings:
        group = lists.group_of.get(listing.party_id, listing.party_id)
        if group in hits:
            continue
        if result.status == "match":
            checksum = "checksum verified" if check.checksum == "verified" else f"checksum {check.checksum}"
            sentence = f"designated digital currency address ({listing.asset}, {check.chain}; {checksum})"
        else:
            sentence = (
                f"designated digital currency address ({listing.asset}), listed verbatim; "
                f"the listed string is not a valid address: {check.reason}"
            )
        hits[group] = Hit(
            party_id=listing.party_id,
            score=1.0,
            matched_name=listing.name,
            schema=lists.schema_of.get(listing.party_id, ""),
            explanation=_CryptoExplanation(
                method="address",
                name_score=1.0,
                features={},
                notes=[sentence],
                sentence=sentence,
            ),
            refs=list(lists.group_refs.get(group, listing.refs)),
            group=group,
            party_ids=list(lists.group_parties.get(group, [listing.party_id])),
        )
    return result, list(hits.values())


def _invalid_hit(address: str, result: AddressMatch) -> Hit:
    """The output line reporting an address that does not validate (never a match)."""
    sentence = f"INVALID digital currency address {address.strip()!r}: {result.check.reason}; not screened"
    return Hit(
        party_id="",
        score=0.0,
        matched_name="",
        schema="",
        explanation=_CryptoExplanation(method="invalid", name_score=0.0, sentence=sentence),
    )


class ScreeningService:
    """Screening, monitoring and re-screening over one store."""

    def __init__(
        self,
        store: Store,
        *,
        config: MatchConfig | None = None,
        cache_dir: Path | None = None,
        workers: int = 1,
    ) -> None:
        self.store = store
        self.config = config or MatchConfig()
        self.cache_dir = cache_dir
        self.workers = workers
        self._matcher: Matcher | None = None
        self._matcher_key: str | None = None
        self._crypto: _CryptoLists | None = None
        self._crypto_key: str | None = None

    # ------------------------------------------------------------------ lists and matcher

    def list_versions(self) -> dict[str, int]:
        """The current version id of every loaded source."""
        versions = {}
        for source in self.store.sources():
            latest = self.store.latest_version(source)
            if latest is not None:
                versions[source] = latest.id
        return versions

    def _versions_key(self, versions: dict[str, int]) -> str:
        text = repr(sorted(versions.items())) + f"|{_CACHE_FORMAT}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def matcher(self) -> Matcher:
        """The matcher over the current version of every list (built once per set of versions)."""
        versions = self.list_versions()
        key = self._versions_key(versions)
        if self._matcher is not None and self._matcher_key == key:
            return self._matcher
        index = self._load_cached_index(key)
        if index is None:
            index = MatchIndex.build(self.store.current_parties())
            self._save_cached_index(key, index)
        self._matcher, self._matcher_key = Matcher(index, self.config), key
        return self._matcher

    def crypto_lists(self) -> _CryptoLists:
        """The designated addresses of the current lists (built once per set of versions)."""
        key = self._versions_key(self.list_versions())
        if self._crypto is None or self._crypto_key != key:
            self._crypto, self._crypto_key = _crypto_lists(self.store.current_parties()), key
        return self._crypto

    def address_index(self) -> AddressIndex:
        """The :class:`AddressIndex` of the current lists (cached like the matcher)."""
        return self.crypto_lists().index

    def _cache_path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / f"match-index-{key}.pickle"

    def _load_cached_index(self, key: str) -> MatchIndex | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                # Written by this process family into VIGIL_HOME; never read from elsewhere.
                index = pickle.load(handle)
        except Exception:  # a corrupt or stale cache is rebuilt, never trusted
            log.warning("match index cache unreadable, rebuilding", extra={"path": str(path)})
            return None
        return index if isinstance(index, MatchIndex) else None

    def _save_cached_index(self, key: str, index: MatchIndex) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("match-index-*.pickle"):
            old.unlink(missing_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)

    # ------------------------------------------------------------------ screening

    def screen(
        self, query: Query, *, limit: int = 10, threshold: float | None = None, actor: str | None = None
    ) -> list[Hit]:
        """Hits for one query. With ``actor``, the screening is recorded as a run in the audit log."""
        matcher = self.matcher()
        hits = matcher.screen(query, limit=limit, threshold=threshold)
        if actor is not None:
            run = self.store.start_run(
                "single", actor=actor, params=self._params(threshold), list_versions=self.list_versions()
            )
            self.store.finish_run(run.id, counts={"queries": 1, "hits": len(hits)})
        return hits

    def _params(self, threshold: float | None) -> dict[str, Any]:
        return {
            "algorithm": self.config.algorithm,
            "thresholds": dict(self.config.thresholds) if threshold is None else {"all": threshold},
        }

    def screen_file(
        self,
        source: Path,
        output: Path,
        mapping: ColumnMapping,
        *,
        threshold: float | None = None,
        limit: int = 10,
        raise_alerts: bool = False,
        actor: str = "cli",
        progress: Callable[[int], None] | None = None,
    ) -> BatchSummary:
        """Screen every row of a customer file and write the results file (format by extension)."""
        started = time.perf_counter()
        matcher = self.matcher()
        versions = self.list_versions()
        crypto = self.crypto_lists() if mapping.address_column is not None else None
        run = self.store.start_run(
            "batch",
            actor=actor,
            params={**self._params(threshold), "input": source.name},
            list_versions=versions,
        )
        report = ReadReport()
        rows = rows_with_hits = hits_total = invalid_addresses = address_hits = 0
        created: list[int] = []
        updated: list[int] = []
        with ResultWriter(output) as writer:
            for chunk, results in self._screen_records(
                matcher, read_records(source, mapping, report=report), limit, threshold
            ):
                alert_items = []
                for record, hits in zip(chunk, results, strict=True):
                    found: list[Hit] = []
                    shown: list[Hit] = []
                    if crypto is not None and mapping.address_column is not None:
                        address = record.raw.get(mapping.address_column, "").strip()
                        if address:
                            checked, found = crypto_hits(crypto, address)
                            if checked.status == "invalid":
                                invalid_addresses += 1
                                shown = [_invalid_hit(address, checked)]
                    writer.write(record, [*hits, *found, *shown])
                    rows += 1
                    if hits or found:
                        rows_with_hits += 1
                        hits_total += len(hits) + len(found)
                        address_hits += len(found)
                        if raise_alerts:
                            alert_items.extend(self._alert_items(record.id, record.query, hits, versions))
                            alert_items.extend(
                                self._alert_items(record.id, record.query, found, versions, kind="crypto")
                            )
                if alert_items:
                    result = self.store.raise_alerts(run.id, alert_items, actor=actor)
                    created.extend(result.created)
                    updated.extend(result.updated)
                if progress is not None:
                    progress(len(chunk))
        seconds = time.perf_counter() - started
        self.store.finish_run(
            run.id,
            counts={
                "rows": rows,
                "rows_with_hits": rows_with_hits,
                "hits": hits_total,
                "alerts_created": len(created),
                "alerts_updated": len(updated),
                "rows_skipped": report.rows_skipped,
                **(
                    {"address_hits": address_hits, "invalid_addresses": invalid_addresses}
                    if crypto is not None
                    else {}
                ),
                "seconds": round(seconds, 2),
            },
        )
        return BatchSummary(
            run_id=run.id,
            rows=rows,
            rows_with_hits=rows_with_hits,
            hits=hits_total,
            alerts_created=len(created),
            alerts_updated=len(updated),
            seconds=seconds,
            report=report,
            output=output,
        )

    def _screen_records(
        self, matcher: Matcher, records: Iterable[InputRecord], limit: int, threshold: float | None
    ) -> Iterator[tuple[list[InputRecord], list[list[Hit]]]]:
        """Screen records in chunks (on ``workers`` processes), yielding each chunk with its hits."""
        batch: list[InputRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= _CHUNK * max(self.workers, 1):
                yield from self._screen_batch(matcher, batch, limit, threshold)
                batch = []
        if batch:
            yield from self._screen_batch(matcher, batch, limit, threshold)

    def _screen_batch(
        self, matcher: Matcher, batch: list[InputRecord], limit: int, threshold: float | None
    ) -> Iterator[tuple[list[InputRecord], list[list[Hit]]]]:
        queries = [r.query for r in batch]
        start = 0
        for results in screen_parallel(
            matcher, queries, workers=self.workers, limit=limit, threshold=threshold, chunk=_CHUNK
        ):
            chunk = batch[start : start + len(results)]
            start += len(results)
            yield chunk, results

    def _alert_items(
        self,
        customer_id: str | None,
        query: Query,
        hits: Sequence[Hit],
        versions: dict[str, int],
        kind: AlertKind = "name",
    ) -> list[AlertItem]:
        return [
            AlertItem(
                customer_id=customer_id,
                query=_query_dict(query),
                party_id=hit.party_id,
                group_id=hit.group,
                score=round(hit.score, 6),
                explanation={
                    "text": hit.explanation.text(),
                    "method": hit.explanation.method,
                    "name_score": hit.explanation.name_score,
                    "features": hit.explanation.features,
                    "aligned": [
                        {"query": a.query, "listed": a.listed, "similarity": a.similarity, "rule": a.rule}
                        for a in hit.explanation.aligned
                    ],
                    "matched_name": hit.matched_name,
                    "refs": hit.refs,
                    "party_ids": hit.party_ids,
                },
                list_versions=versions,
                kind=kind,
            )
            for hit in hits
        ]

    # ------------------------------------------------------------------ monitored customers

    def load_customers(
        self, source: Path, mapping: ColumnMapping, *, actor: str = "cli", screen: bool = True
    ) -> tuple[UpsertResult, RescreenSummary | None]:
        """Add or update monitored customers from a file (by id) and screen them against the current lists."""
        customers = [_record_customer(r) for r in read_records(source, mapping)]
        result = self.store.upsert_customers(customers, actor=actor)
        summary = self.screen_customers(customers, actor=actor, kind="monitor") if screen else None
        return result, summary

    def screen_customers(
        self,
        customers: Sequence[Customer],
        *,
        actor: str,
        kind: str = "monitor",
        matcher: Matcher | None = None,
        addresses: AddressIndex | None = None,
    ) -> RescreenSummary:
        """Screen customers against ``matcher`` (default: every current list) and raise their alerts.

        Every identifier that is a listed wallet address (exact, validated: see
        :class:`~vigil.crypto.screening.AddressIndex`) raises a ``crypto`` alert; ``addresses``
        defaults to every designated address of the current lists.
        """
        started = time.perf_counter()
        crypto = self.crypto_lists()
        if addresses is None:
            addresses = crypto.index if matcher is None else AddressIndex([])
        matcher = matcher or self.matcher()
        versions = self.list_versions()
        run = self.store.start_run(kind, actor=actor, params=self._params(None), list_versions=versions)  # type: ignore[arg-type]
        summary = RescreenSummary(
            run_id=run.id,
            customers=len(customers),
            groups_screened=len({p.group for p in matcher.index.parties}),
        )
        queries = [_customer_query(c) for c in customers]
        position = 0
        for results in screen_parallel(matcher, queries, workers=self.workers, chunk=_CHUNK):
            items: list[AlertItem] = []
            for query, hits in zip(queries[position : position + len(results)], results, strict=True):
                items.extend(self._alert_items(query.id, query, hits, versions))
                if len(addresses):
                    for value in query.identifiers:
                        _, found = crypto_hits(crypto, value, addresses)
                        items.extend(self._alert_items(query.id, query, found, versions, kind="crypto"))
            position += len(results)
            if items:
                raised: RaiseResult = self.store.raise_alerts(run.id, items, actor=actor)
                summary.alerts_created.extend(raised.created)
                summary.alerts_updated.extend(raised.updated)
        summary.seconds = time.perf_counter() - started
        self.store.finish_run(
            run.id,
            counts={
                "customers": summary.customers,
                "alerts_created": len(summary.alerts_created),
                "alerts_updated": len(summary.alerts_updated),
                "seconds": round(summary.seconds, 2),
            },
        )
        return summary

    # ------------------------------------------------------------------ crypto exposure

    def raise_exposure_alerts(
        self, result: ExposureResult, *, actor: str = "cli", params: dict[str, Any] | None = None
    ) -> RescreenSummary:
        """Raise an ``exposure`` alert per (address, asset) within ``max_hops`` of a designated
        address, in a run of kind ``monitor``.

        ``customer_id`` is the address (its matching key), the party the nearest designated
        holder (the start of the evidence path), the score the haircut share; the explanation
        gives the hops, the haircut and poison shares and the path of transfer ids.
        """
        import numpy as np

        started = time.perf_counter()
        crypto = self.crypto_lists()
        versions = self.list_versions()
        run = self.store.start_run(
            "monitor",
            actor=actor,
            params={
                "exposure": {"max_hops": result.max_hops, "window": list(result.window), **(params or {})}
            },
            list_versions=versions,
        )
        graph = result.graph
        pair_hops = result.hops[result.pair_node]
        rows = np.flatnonzero(pair_hops > 0)
        summary = RescreenSummary(run_id=run.id, customers=len(rows), groups_screened=len(crypto.group_refs))
        holders: dict[int, list[Hit]] = {}
        items: list[AlertItem] = []

        def flush() -> None:
            if items:
                raised = self.store.raise_alerts(run.id, items, actor=actor)
                summary.alerts_created.extend(raised.created)
                summary.alerts_updated.extend(raised.updated)
                items.clear()

        paths = {int(result.pair_node[row]): result.path(int(result.pair_node[row])) for row in rows.tolist()}
        used = sorted({edge for edges in paths.values() for edge in edges})
        labels = dict(zip(used, graph.tx_labels(used).to_pylist(), strict=True)) if used else {}
        for row in rows.tolist():
            node = int(result.pair_node[row])
            edges = paths[node]
            origin = int(graph.src[edges[0]])
            if origin not in holders:
                holders[origin] = crypto_hits(crypto, str(graph.nodes[origin].as_py()))[1]
            inflow = float(result.inflow[row])
            haircut = float(result.haircut_in[row]) / inflow if inflow else 0.0
            poison = float(result.poison_in[row]) / inflow if inflow else 0.0
            address = str(graph.nodes[node].as_py())
            asset = str(graph.assets[int(result.pair_asset[row])].as_py())
            path = [str(labels[e]) for e in edges]
            hops = int(result.hops[node])
            designated = str(graph.nodes[origin].as_py())
            for hit in holders[origin]:
                text = (
                    f"{hops} hop(s) from designated address {designated} ({hit.matched_name}); "
                    f"{asset}: haircut share {haircut:.4f}, poison share {poison:.4f}; "
                    f"path {' > '.join(path)}"
                )
                items.append(
                    AlertItem(
                        customer_id=address,
                        query={"address": address, "asset": asset},
                        party_id=hit.party_id,
                        group_id=hit.group,
                        score=round(haircut, 6),
                        explanation={
                            "text": text,
                            "method": "exposure",
                            "hops": hops,
                            "asset": asset,
                            "inflow": inflow,
                            "haircut_share": haircut,
                            "poison_share": poison,
                            "designated_address": designated,
                            "path": path,
                            "refs": hit.refs,
                            "party_ids": hit.party_ids,
                        },
                        list_versions=versions,
                        kind="exposure",
                    )
                )
            if len(items) >= _CHUNK:
                flush()
        flush()
        summary.seconds = time.perf_counter() - started
        self.store.finish_run(
            run.id,
            counts={
                "exposed": summary.customers,
                "alerts_created": len(summary.alerts_created),
                "alerts_updated": len(summary.alerts_updated),
                "seconds": round(summary.seconds, 2),
            },
        )
        return summary

    # ------------------------------------------------------------------ network exposure

    def raise_network_exposure_alerts(
        self,
        graph: Any,
        links: dict[str, str],
        *,
        max_hops: int = 3,
        min_score: float = 0.0,
        actor: str = "cli",
    ) -> RescreenSummary:
        """Raise an ``exposure`` alert for each customer whose node in the network ``graph``
        (``links``: customer id -> node id, see :mod:`vigil.graph.network`) is not designated
        itself but has a path of at most ``max_hops`` hops to a designated party, with an
        exposure score of at least ``min_score``; in a run of kind ``monitor``.

        The alert's party is the designated party at the end of the best path, its score the
        path's exposure score; the explanation gives every hop with its evidence.
        """
        from vigil.graph.network import paths_to_designated

        started = time.perf_counter()
        versions = self.list_versions()
        run = self.store.start_run(
            "monitor",
            actor=actor,
            params={"network_exposure": {"max_hops": max_hops, "min_score": min_score}},
            list_versions=versions,
        )
        summary = RescreenSummary(run_id=run.id, customers=len(links), groups_screened=0)
        groups: dict[str, str] | None = None
        items: list[AlertItem] = []
        for customer_id, node in sorted(links.items()):
            if node not in graph or graph.nodes[node].get("designated"):
                continue  # a listed customer is a name/identifier alert, not an exposure one
            report = paths_to_designated(graph, node, max_hops=max_hops, k=1)
            if not report.paths or report.exposure < min_score:
                continue
            if groups is None:
                groups = group_parties(list(self.store.current_parties()))
            best = report.paths[0]
            target = best.target
            steps = []
            for hop in best.hops:
                why = "; ".join(str(e["evidence"]) for e in hop.evidence)
                steps.append(f"{graph.nodes[hop.target].get('name', hop.target)} [{why}]")
            text = (
                f"{len(best.hops)} hop(s) from designated {graph.nodes[target].get('name', target)}, "
                f"exposure {best.score:g}: {graph.nodes[node].get('name', node)} > " + " > ".join(steps)
            )
            items.append(
                AlertItem(
                    customer_id=customer_id,
                    query={"network_node": node, "name": graph.nodes[node].get("name", node)},
                    party_id=target,
                    group_id=groups.get(target, target),
                    score=best.score,
                    explanation={
                        "text": text,
                        "method": "network",
                        "hops": len(best.hops),
                        "exposure": best.score,
                        "path": best.to_dict(),
                    },
                    list_versions=versions,
                    kind="exposure",
                )
            )
        if items:
            raised = self.store.raise_alerts(run.id, items, actor=actor)
            summary.alerts_created.extend(raised.created)
            summary.alerts_updated.extend(raised.updated)
        summary.seconds = time.perf_counter() - started
        self.store.finish_run(
            run.id,
            counts={
                "customers": summary.customers,
                "exposed": len(items),
                "alerts_created": len(summary.alerts_created),
                "alerts_updated": len(summary.alerts_updated),
                "seconds": round(summary.seconds, 2),
            },
        )
        return summary

    # ------------------------------------------------------------------ re-screening on list updates

    def import_and_rescreen(
        self,
        source: str,
        paths: list[Path] | dict[str, Path],
        *,
        actor: str = "cli",
        origin: str | None = None,
    ) -> tuple[ImportOutcome, RescreenSummary | None]:
        """Import a list version; if it is new, re-screen the monitored base against what changed."""
        outcome = import_files(self.store, source, paths, origin=origin)
        if not outcome.created:
            return outcome, None
        return outcome, self.rescreen_changes([outcome], actor=actor)

    def rescreen_changes(
        self, outcomes: Sequence[ImportOutcome], *, actor: str = "system"
    ) -> RescreenSummary:
        """Screen the monitored base against only the designations added or changed by ``outcomes``.

        Groups whose every record was removed close their active alerts as delisted. Allowlist
        entries of changed groups are revoked first, so their alerts come back.
        """
        started = time.perf_counter()
        full = self.matcher()
        group_of = {p.id: p.group for p in full.index.parties}
        touched: set[str] = set()
        removed_ids: set[str] = set()
        previous: dict[str, int | None] = {}
        for outcome in outcomes:
            if not outcome.created:
                continue
            diff = self.store.diff_latest(outcome.source)
            previous[outcome.source] = None if diff.old is None else diff.old.id
            for change in diff.added + diff.changed:
                touched.add(group_of.get(change.party_id, change.party_id))
            removed_ids.update(c.party_id for c in diff.removed)
        delisted_groups: set[str] = set()
        if removed_ids:
            # The groups the removed records had: grouping over the lists as they were before.
            old_group_of = group_parties(self._previous_parties(previous))
            current_groups = set(group_of.values())
            delisted_groups = {old_group_of.get(pid, pid) for pid in removed_ids} - current_groups
        summary = RescreenSummary(run_id=None, customers=0, groups_screened=len(touched))
        if delisted_groups:
            summary.alerts_delisted = self.store.close_alerts_for_groups(
                sorted(delisted_groups),
                status="delisted",
                reason="designation removed from the list",
                actor=actor,
            )
        if touched:
            hashes = self.store.group_hashes(sorted(touched))
            revoked = self.store.invalidate_allow_for_changed(
                hashes, list_version=max(o.version.id for o in outcomes), actor=actor
            )
            summary.allow_revoked = [entry.id for entry in revoked]
            parties = [p for p in self.store.current_parties() if group_of.get(p.id, p.id) in touched]
            delta = Matcher(MatchIndex.build(parties), self.config)
            customers = list(self.store.iter_customers())
            screened = self.screen_customers(
                customers,
                actor=actor,
                kind="rescreen",
                matcher=delta,
                addresses=AddressIndex.from_parties(parties),
            )
            summary.run_id = screened.run_id
            summary.customers = screened.customers
            summary.alerts_created = screened.alerts_created
            summary.alerts_updated = screened.alerts_updated
        summary.seconds = time.perf_counter() - started
        return summary

    def _previous_parties(self, previous: dict[str, int | None]) -> Iterator[Party]:
        """Every party as the lists stood before the imports: older versions where one was replaced."""
        replaced = set(previous)
        yield from self.store.current_parties([s for s in self.store.sources() if s not in replaced])
        for version_id in previous.values():
            if version_id is not None:
                yield from self.store.parties(version_id)
