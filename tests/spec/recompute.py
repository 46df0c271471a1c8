#!/usr/bin/env python3
"""Recomputes the state hash of a qfs log from docs/SPEC.md alone.

A second implementation of SPEC section 10 (canonical encoding and state hash),
state format 2: it reads the canonical state JSON (`qfs state LOG`, SPEC
section 11), builds each module's canonical byte encoding as section 10.2 lists
it, hashes it with XXH3-128 through `xxhsum -H2` (which prints the canonical,
big-endian bytes), combines the nine module hashes into the root as section
10.3 says, and compares every hash with `qfs replay LOG --json --modules`.

usage: recompute.py [--qfs PATH] [--xxhsum PATH] [--spec SPEC.md]
                    [--dump-dir DIR] LOG
       recompute.py --check-values [--spec SPEC.md]

The parameter registry (names, units, governance domains, defaults and
ranges) is read from the table of SPEC section 7, so the parameter lists and
the unit of every parameter and proposal value come from the SPEC text.

From the per-event trace of `qfs replay LOG --trace -` it also rederives
the receipt chain of SPEC section 3 (compared, with the event and rejection
counts, with the receipts module) and, per governance, the closed-proposal
digest of SPEC 5.9 and 10.2 (folded from the closed-proposal records of the
tallies each epoch_close line reports) and the pending changes those tallies
leave (compared with closed_digest and pending of the state JSON). It checks
that the JSON has exactly the keys and value types of section 11.

--check-values builds the state before any event from SPEC sections 2 and 7
alone (no qfs involved) and compares its receipts module bytes and hash and
the root with the check values printed in section 10.3, and the worked
closed-proposal record of section 10.2 (its bytes and digest) with the
record encoded from the field list.

Prints one line for the receipt chain, two per governance (closed digest,
pending changes), one for the JSON order, one per module and one for the
root ("match" or "mismatch"), and exits 0 when all match, 1 on any mismatch
or on a JSON or trace that is not in the form the SPEC gives, 2 on a usage or
tool error. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

U64_MAX = (1 << 64) - 1
A_MAX = (1 << 128) - 1          # SPEC 1: the largest amount
XXH128_EMPTY = "99aa06d3014798d86001c324468d497f"
FORMAT_VERSION = 2              # SPEC 10.2: the state format
DEFAULT_SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "..", "docs", "SPEC.md")

# SPEC section 2: module order is the order of the module hashes.
MODULES = ["ledger", "staking", "coherence", "governance", "memory",
           "treasury", "nod", "infra_governance", "receipts", "auth"]
# SPEC 10.1: the authentication mode (0 before genesis) and the key holders
# in role order.
AUTH_MODES = {None: 0, "none": 1, "ed25519": 2}
ROLES = ["authority", "coherence_oracle", "telemetry_oracle", "memory_oracle"]
# SPEC section 10.1: per-asset sequences in enum order (values 1..7).
ASSETS = ["T1", "T2", "T3", "T4", "T5", "NOD", "ATR"]
KINDS = {"user": 1, "validator": 2, "infra_node": 3}
CHOICES = {"yes": 1, "no": 2, "abstain": 3}
STATUSES = {"open": 0, "passed": 1, "no_quorum": 2, "rejected": 3}
# SPEC 10.2: module 3 lists the social and genesis-only parameters, module 7
# the infrastructure ones; SPEC 4.11 and 4.13: each governance's proposals
# (and so its pending changes) name parameters of its own domain only.
PARAM_DOMAINS = {"governance": ("social", "genesis"), "infra_governance": ("infra",)}
GOV_DOMAINS = {"governance": ("social",), "infra_governance": ("infra",)}


class SpecError(Exception):
    """The state JSON does not carry what the encoding needs, or not in the
    form SPEC section 11 gives it."""


# ------------------------------------------------------- SPEC 7: the registry

class Param:
    def __init__(self, index, name, unit, domain, default, lo, hi):
        self.index, self.name, self.unit, self.domain = index, name, unit, domain
        self.default, self.lo, self.hi = default, lo, hi


def _spec_number(text, unit):
    """A default/min/max cell of SPEC 7: `0.05`, `90`, `10^24 (1 000 000 NOD)`,
    `1 (base unit)`, `2^128 − 1`, as the stored integer."""
    t = re.sub(r"\s*\(.*\)\s*$", "", text).strip().replace("\u2212", "-")
    m = re.match(r"^(\d+)\^(\d+)(?:\s*-\s*(\d+))?$", t)
    if m:
        v = int(m.group(1)) ** int(m.group(2)) - int(m.group(3) or 0)
        return v * 10 ** 18 if unit == "fp18" else v
    if unit == "fp18":
        return fp18_text(t)
    if not re.match(r"^\d+$", t):
        raise ValueError("SPEC 7: cannot read %r" % (text,))
    return int(t)


def read_registry(spec_path):
    """The parameter table of SPEC section 7, in registry order."""
    with open(spec_path, encoding="utf-8") as f:
        text = f.read()
    sec = re.search(r"^## 7\. Parameters$(.*?)^## 8\.", text, re.M | re.S)
    if not sec:
        raise ValueError("%s: no section 7" % spec_path)
    params = []
    for line in sec.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 7 or not re.match(r"^\d+$", cells[0]):
            continue
        name = cells[1].strip("`")
        unit, domain = cells[2], cells[3]
        if unit not in ("fp18", "amount", "count", "ms") or \
                domain not in ("social", "infra", "genesis"):
            raise ValueError("SPEC 7: bad row %r" % (line,))
        params.append(Param(int(cells[0]), name, unit, domain,
                            _spec_number(cells[4], unit),
                            _spec_number(cells[5], unit),
                            _spec_number(cells[6], unit)))
    if not params:
        raise ValueError("%s: empty parameter table" % spec_path)
    if [p.index for p in params] != list(range(len(params))):
        raise ValueError("SPEC 7: indexes are not 0..%d" % (len(params) - 1))
    # "The registry is sorted by name": the registry order is the id order.
    if [p.name for p in params] != sorted((p.name for p in params), key=id_key):
        raise ValueError("SPEC 7: the registry is not in bytewise name order")
    return params


def read_check_values(spec_path):
    """SPEC 10.3's check values: (receipts bytes hex, receipts hash, root)."""
    with open(spec_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"encodes `receipts` as\s+`([0-9a-f ]+)` followed by (\d+) zero"
                  r" bytes, whose hash is\s+`([0-9a-f]{32})`; its root is\s+"
                  r"`([0-9a-f]{32})`", text)
    if not m:
        raise ValueError("%s: no check values in section 10.3" % spec_path)
    prefix = bytes.fromhex(m.group(1).replace(" ", "")) + bytes(int(m.group(2)))
    return prefix, m.group(3), m.group(4)


def read_closed_example(spec_path):
    """SPEC 10.2's worked closed-proposal record: (its bytes, written as
    `03 00×7 ‖ 02 "n1" ‖ ...`, and the digest it gives)."""
    with open(spec_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"rejected: `([^`]*)`.*?the digest becomes\s+`([0-9a-f]{32})`",
                  text, re.S)
    if not m:
        raise ValueError("%s: no worked closed-proposal record in section 10.2" % spec_path)
    out = b""
    for tok in re.findall(r'"[^"]*"|[0-9a-f]{2}(?:\u00d7\d+)?', m.group(1)):
        if tok.startswith('"'):
            out += tok[1:-1].encode("ascii")
        else:
            byte, _, times = tok.partition("\u00d7")
            out += bytes([int(byte, 16)]) * int(times or 1)
    return out, m.group(2)


# ---------------------------------------------------------------- primitives

def u8(v):
    return struct.pack("<B", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= U64_MAX:
        raise SpecError("u64 out of range: %r" % (v,))
    return struct.pack("<Q", v)


def u128(v):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= A_MAX:
        raise SpecError("u128 out of range: %r" % (v,))
    return u64(v & U64_MAX) + u64(v >> 64)


def amount(v):
    """SPEC 10.1 `amount`: a u128, 16 bytes little-endian."""
    return u128(v)


def ident(s, allow_empty=False):
    if not isinstance(s, str):
        raise SpecError("id is not a string: %r" % (s,))
    b = s.encode("ascii")
    if len(b) > 64 or (not b and not allow_empty) or \
            not re.match(r"^[A-Za-z0-9._:-]*$", s):
        raise SpecError("not an id: %r" % (s,))
    return u8(len(b)) + b


def hash16(hexstr):
    if not isinstance(hexstr, str) or not re.match(r"^[0-9a-f]{32}$", hexstr):
        raise SpecError("hash16 is not 32 lowercase hex digits: %r" % (hexstr,))
    return bytes.fromhex(hexstr)


def lst(entries):
    return u32(len(entries)) + b"".join(entries)


def id_key(s):
    """SPEC 1: ids compare bytewise, the shorter id first on a common prefix
    (exactly Python's bytes order)."""
    return s.encode("ascii")


# ------------------------------------------------- SPEC 11: JSON value forms

_DIGITS = re.compile(r"^(0|[1-9][0-9]*)$")
_DEC = re.compile(r"^(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$")
_SHORTEST = re.compile(r"^(0|[1-9][0-9]*)(?:\.[0-9]{0,17}[1-9])?$")


def j_digits(v, limit=A_MAX):
    """An amount, timestamp or proposal id: a string of decimal digits
    without leading zeros (SPEC 11)."""
    if not isinstance(v, str) or not _DIGITS.match(v):
        raise SpecError("not a string of digits: %r" % (v,))
    n = int(v)
    if n > limit:
        raise SpecError("%s exceeds %d" % (v, limit))
    return n


def j_amount(v):
    return j_digits(v, A_MAX)


def j_u64str(v):
    """A timestamp or a proposal id: a u64 written as a digit string."""
    return j_digits(v, U64_MAX)


def j_int(v):
    """A count or an epoch: a JSON integer (SPEC 11)."""
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= U64_MAX:
        raise SpecError("not a JSON integer in the u64 range: %r" % (v,))
    return v


def j_int_or_null(v):
    return None if v is None else j_int(v)


def j_bool(v):
    if not isinstance(v, bool):
        raise SpecError("not a JSON boolean: %r" % (v,))
    return v


def fp18_text(v):
    """An exact decimal string as its 18-decimal fixed point."""
    m = _DEC.match(v)
    if not m:
        raise SpecError("bad decimal: %r" % (v,))
    return int(m.group(1)) * 10 ** 18 + int((m.group(2) or "").ljust(18, "0"))


def j_ratio(v, limit=U64_MAX):
    """A ratio: the shortest exact decimal string (SPEC 11), as r x 10^18."""
    if not isinstance(v, str) or not _SHORTEST.match(v):
        raise SpecError("ratio is not a shortest exact decimal string: %r" % (v,))
    n = fp18_text(v)
    if n > limit:
        raise SpecError("ratio %s does not fit its field" % (v,))
    return n


def j_param(p, v):
    """A parameter or proposal value in the unit of parameter p (SPEC 11:
    whether it is a string or an integer follows its unit), as the stored
    integer, checked against the range of SPEC 7."""
    if p.unit == "fp18":
        n = j_ratio(v)
    elif p.unit == "amount":
        n = j_amount(v)
    else:
        n = j_int(v)
    if not p.lo <= n <= p.hi:
        raise SpecError("%s = %r outside [%d, %d]" % (p.name, v, p.lo, p.hi))
    return n


def keys(obj, want, where):
    """SPEC 11: every field of 10.2 appears, under these keys (and no other)."""
    if not isinstance(obj, dict):
        raise SpecError("%s is not an object" % where)
    if set(obj) != set(want):
        raise SpecError("%s: keys %s, SPEC 11 gives %s"
                        % (where, sorted(obj), sorted(want)))
    return obj


def enum(table, v, where):
    if v not in table:
        raise SpecError("%s: %r is not one of %s" % (where, v, sorted(table)))
    return u8(table[v])


def per_asset(m, where):
    keys(m, ASSETS, where)
    return b"".join(amount(j_amount(m[a])) for a in ASSETS)


def items(v, where):
    if not isinstance(v, list):
        raise SpecError("%s is not a list" % where)
    return v


def header(index):
    return u32(FORMAT_VERSION) + u8(index)


# ---------------------------------------------------------- module encodings

def enc_ledger(j):
    keys(j, ["accounts", "chain_id", "epoch", "genesis", "issued",
             "last_timestamp_ms"], "ledger")
    out = header(0)
    out += u8(1 if j_bool(j["genesis"]) else 0)
    out += ident(j["chain_id"], allow_empty=not j["genesis"])
    out += u64(j_int(j["epoch"])) + u64(j_u64str(j["last_timestamp_ms"]))
    accts = []
    for a in sorted(items(j["accounts"], "ledger.accounts"), key=lambda a: id_key(a["id"])):
        keys(a, ["balances", "id", "kind"], "ledger.accounts[%s]" % a.get("id"))
        accts.append(ident(a["id"]) + enum(KINDS, a["kind"], "account kind") +
                     per_asset(a["balances"], "balances of " + a["id"]))
    out += lst(accts)
    out += per_asset(j["issued"], "ledger.issued")
    return out


def lock_plus1(v):
    # SPEC 11: ballot_lock_through is the stored value - 1, null for 0.
    return 0 if v is None else v + 1


def enc_staking(j):
    keys(j, ["staked_total", "unbonding", "unbonding_total", "validators"], "staking")
    out = header(1)
    vals = []
    for v in sorted(items(j["validators"], "staking.validators"), key=lambda v: id_key(v["id"])):
        keys(v, ["ballot_lock_through", "id", "slashed_t1", "slashed_t4", "staked",
                 "t2_received", "unbonding"], "staking.validators[%s]" % v.get("id"))
        vals.append(ident(v["id"]) + amount(j_amount(v["staked"])) +
                    amount(j_amount(v["unbonding"])) +
                    amount(j_amount(v["slashed_t1"])) +
                    amount(j_amount(v["slashed_t4"])) +
                    amount(j_amount(v["t2_received"])) +
                    u64(lock_plus1(j_int_or_null(v["ballot_lock_through"]))))
    out += lst(vals)
    # SPEC 10.2: entries with equal (validator, release epoch) merged into one.
    # SPEC 11 says the JSON shows them already merged; merging again is a no-op
    # then, and json_order_problems reports a JSON that is not.
    groups = {}
    for e in items(j["unbonding"], "staking.unbonding"):
        keys(e, ["amount", "release_epoch", "validator"], "staking.unbonding[]")
        ident(e["validator"])
        k = (id_key(e["validator"]), j_int(e["release_epoch"]))
        groups[k] = groups.get(k, 0) + j_amount(e["amount"])
    out += lst([u8(len(k[0])) + k[0] + u64(k[1]) + amount(groups[k])
                for k in sorted(groups)])
    out += amount(j_amount(j["staked_total"])) + amount(j_amount(j["unbonding_total"]))
    return out


def enc_coherence(j, window):
    keys(j, ["c_core", "c_hat", "c_impact", "c_lambda", "deficit", "validators"],
         "coherence")
    out = header(2)
    out += u64(j_ratio(j["c_hat"])) + u64(j_ratio(j["c_core"]))
    out += u64(j_ratio(j["c_lambda"])) + u64(j_ratio(j["c_impact"]))
    out += u8(1 if j_bool(j["deficit"]) else 0)
    entries = []
    for v in sorted(items(j["validators"], "coherence.validators"), key=lambda v: id_key(v["id"])):
        keys(v, ["base_psi", "boost_amount", "boost_until_ms", "id", "psi_reports",
                 "report_count"], "coherence.validators[%s]" % v.get("id"))
        reports = items(v["psi_reports"], "psi_reports")
        count = j_int(v["report_count"])
        if len(reports) != min(count, window):
            raise SpecError("validator %s: %d reports shown, min(report_count, W) = %d"
                            % (v["id"], len(reports), min(count, window)))
        entries.append(ident(v["id"]) + u64(j_ratio(v["base_psi"])) + u64(count) +
                       lst([u64(j_ratio(r)) for r in reports]) +
                       amount(j_amount(v["boost_amount"])) +
                       u64(j_u64str(v["boost_until_ms"])))
    out += lst(entries)
    return out


def enc_params(values, registry, domains, where):
    """SPEC 10.2: the parameters of these domains in registry (name) order."""
    mine = [p for p in registry if p.domain in domains]
    keys(values, [p.name for p in mine], where)
    return lst([ident(p.name) + amount(j_param(p, values[p.name])) for p in mine])


def governed_param(registry, name, domains, where):
    """The registry entry of a proposal's or pending change's parameter,
    which SPEC 4.11 and 4.13 confine to its governance's own domain."""
    byname = {p.name: p for p in registry}
    if name not in byname:
        raise SpecError("%s: unknown parameter %r" % (where, name))
    if byname[name].domain not in domains:
        raise SpecError("%s: %s is a %s parameter" % (where, name, byname[name].domain))
    return byname[name]


def enc_pending(pending, registry, domains, where):
    """SPEC 10.2: pending changes in ascending (apply epoch, proposal id)."""
    entries = []
    for c in sorted(items(pending, where),
                    key=lambda c: (j_int(c["apply_epoch"]), j_u64str(c["proposal_id"]))):
        w = "%s[%s]" % (where, c.get("proposal_id"))
        keys(c, ["apply_epoch", "param", "proposal_id", "value"], w)
        p = governed_param(registry, c["param"], domains, w)
        entries.append(u64(j_int(c["apply_epoch"])) + u64(j_u64str(c["proposal_id"])) +
                       ident(p.name) + amount(j_param(p, c["value"])))
    return lst(entries)


def enc_proposals(props, registry, domains, where):
    """SPEC 10.2: the open proposals by ascending id, without a status (SPEC
    11: a tallied proposal has left the state)."""
    entries = []
    for p in sorted(items(props, where), key=lambda p: j_u64str(p["id"])):
        w = "%s[%s]" % (where, p.get("id"))
        keys(p, ["abstain", "ballots", "created_epoch", "end_epoch", "id", "no",
                 "param", "proposer", "quorum_cast", "supply_snapshot", "value",
                 "yes"], w)
        param = governed_param(registry, p["param"], domains, w)
        ballots = []
        for b in sorted(items(p["ballots"], w + ".ballots"), key=lambda b: id_key(b["voter"])):
            keys(b, ["choice", "quorum_weight", "voter", "weight"], w + ".ballots[]")
            ballots.append(ident(b["voter"]) + enum(CHOICES, b["choice"], "ballot choice") +
                           amount(j_amount(b["weight"])) +
                           amount(j_amount(b["quorum_weight"])))
        entries.append(proposal_fields(p, param) + lst(ballots))
    return lst(entries)


def proposal_fields(p, param):
    """The fields an open proposal and a closed-proposal record share (SPEC
    10.2), from `id` to `quorum_cast`."""
    return (u64(j_u64str(p["id"])) + ident(p["proposer"]) + ident(param.name) +
            amount(j_param(param, p["value"])) +
            u64(j_int(p["created_epoch"])) + u64(j_int(p["end_epoch"])) +
            amount(j_amount(p["supply_snapshot"])) +
            amount(j_amount(p["yes"])) + amount(j_amount(p["no"])) +
            amount(j_amount(p["abstain"])) + amount(j_amount(p["quorum_cast"])))


def enc_closed_record(t, registry, domains, where):
    """SPEC 10.2: the closed-proposal record of a tally (a `tallies` entry
    of the trace), the bytes SPEC 5.9 folds into closed_digest."""
    keys(t, ["abstain", "apply_epoch", "created_epoch", "end_epoch", "governance",
             "id", "no", "param", "proposer", "quorum_cast", "status",
             "supply_snapshot", "value", "yes"], where)
    if t["status"] == "open":
        raise SpecError("%s: a tallied proposal with status open" % where)
    param = governed_param(registry, t["param"], domains, where)
    return proposal_fields(t, param) + enum(STATUSES, t["status"], "proposal status")


def enc_governance(j, index, registry):
    name = MODULES[index]
    keys(j, ["closed_digest", "last_proposal_id", "params", "pending", "proposals",
             "proposals_accepted"], name)
    domains = GOV_DOMAINS[name]
    accepted = j_int(j["proposals_accepted"])
    # SPEC 11: last_proposal_id is null while proposals_accepted is 0, and
    # SPEC 10.2 encodes it as 0 then.
    last = j["last_proposal_id"]
    if (last is None) != (accepted == 0):
        raise SpecError("%s: last_proposal_id %r with proposals_accepted %d"
                        % (name, last, accepted))
    return (header(index) +
            enc_params(j["params"], registry, PARAM_DOMAINS[name], name + ".params") +
            u64(accepted) + u64(0 if last is None else j_u64str(last)) +
            hash16(j["closed_digest"]) +
            enc_pending(j["pending"], registry, domains, name + ".pending") +
            enc_proposals(j["proposals"], registry, domains, name + ".proposals"))


def enc_memory(j):
    keys(j, ["epoch_contributions", "epoch_lambda_sum", "epoch_rewarded", "nodes"], "memory")
    out = header(4)
    nodes = []
    for n in sorted(items(j["nodes"], "memory.nodes"), key=lambda n: id_key(n["id"])):
        keys(n, ["contributions", "id", "last_lambda", "rewarded", "t5_total"],
             "memory.nodes[%s]" % n.get("id"))
        nodes.append(ident(n["id"]) + u64(j_int(n["contributions"])) +
                     u64(j_int(n["rewarded"])) + amount(j_amount(n["t5_total"])) +
                     u64(j_ratio(n["last_lambda"])))
    out += lst(nodes)
    out += u64(j_int(j["epoch_contributions"])) + u64(j_int(j["epoch_rewarded"]))
    out += u128(j_ratio(j["epoch_lambda_sum"], A_MAX))
    return out


def enc_treasury(j):
    keys(j, ["balances", "burned", "fees_total_atr", "t2_minted_last", "t2_paid_last",
             "t2_pool"], "treasury")
    out = header(5)
    out += per_asset(j["balances"], "treasury.balances")
    out += per_asset(j["burned"], "treasury.burned")
    out += amount(j_amount(j["fees_total_atr"])) + amount(j_amount(j["t2_pool"]))
    out += amount(j_amount(j["t2_minted_last"])) + amount(j_amount(j["t2_paid_last"]))
    return out


def enc_nod(j):
    keys(j, ["active_last", "allocated_last", "cut_total", "issued_epoch", "nodes",
             "pool"], "nod")
    out = header(6)
    out += amount(j_amount(j["pool"])) + amount(j_amount(j["issued_epoch"]))
    out += amount(j_amount(j["cut_total"])) + amount(j_amount(j["allocated_last"]))
    out += u64(j_int(j["active_last"]))
    entries = []
    for n in sorted(items(j["nodes"], "nod.nodes"), key=lambda n: id_key(n["id"])):
        keys(n, ["correctness", "id", "nod_received", "replication", "telemetry_epoch",
                 "uptime"], "nod.nodes[%s]" % n.get("id"))
        te = j_int_or_null(n["telemetry_epoch"])
        entries.append(ident(n["id"]) + u64(0 if te is None else te + 1) +
                       u64(j_ratio(n["uptime"])) + u64(j_ratio(n["replication"])) +
                       u64(j_ratio(n["correctness"])) +
                       amount(j_amount(n["nod_received"])))
    out += lst(entries)
    return out


def enc_receipts(j):
    keys(j, ["chain", "events", "rejected"], "receipts")
    return header(8) + u64(j_int(j["events"])) + u64(j_int(j["rejected"])) + \
        hash16(j["chain"])


def key32(v, where):
    """SPEC 10.2 signer keys: u8 present, then the 32 key bytes (zeros when
    absent); SPEC 11: 64 lowercase hex digits, or null."""
    if v is None:
        return u8(0) + bytes(32)
    if not isinstance(v, str) or not re.match(r"^[0-9a-f]{64}$", v):
        raise SpecError("%s: a key is 64 lowercase hex digits or null: %r" % (where, v))
    return u8(1) + bytes.fromhex(v)


def signer_keys(o, where):
    return key32(o["key"], where + ".key") + key32(o["previous_key"], where + ".previous_key") + \
        u64(j_int(o["sequence"]))


def enc_auth(j):
    keys(j, ["accounts", "authentication", "holders"], "auth")
    out = header(9) + enum(AUTH_MODES, j["authentication"], "auth.authentication")
    keys(j["holders"], ROLES, "auth.holders")
    for r in ROLES:
        h = j["holders"][r]
        if h is None:
            out += u8(0)
            continue
        where = "auth.holders." + r
        keys(h, ["id", "key", "previous_key", "sequence"], where)
        out += u8(1) + ident(h["id"]) + signer_keys(h, where)
    entries = []
    accts = items(j["accounts"], "auth.accounts")
    for a in sorted(accts, key=lambda a: id_key(a["id"])):
        where = "auth.accounts[%s]" % a.get("id")
        keys(a, ["id", "key", "previous_key", "sequence"], where)
        entries.append(ident(a["id"]) + signer_keys(a, where))
    return out + lst(entries)


def json_order_problems(state):
    """SPEC 11: the JSON lists collections in the order of the encoding.

    The encoders above sort anyway; this checks the claim about the JSON
    (proposal ids are digit strings: their order is numeric, not bytewise)."""
    probs = []

    def check(where, xs, key):
        ks = [key(x) for x in xs]
        if ks != sorted(ks) or len(set(ks)) != len(ks):
            probs.append(where)

    byid = lambda x: id_key(x["id"])
    check("ledger.accounts", state["ledger"]["accounts"], byid)
    check("staking.validators", state["staking"]["validators"], byid)
    check("staking.unbonding", state["staking"]["unbonding"],
          lambda u: (id_key(u["validator"]), u["release_epoch"]))
    check("coherence.validators", state["coherence"]["validators"], byid)
    check("memory.nodes", state["memory"]["nodes"], byid)
    check("nod.nodes", state["nod"]["nodes"], byid)
    check("auth.accounts", state["auth"]["accounts"], byid)
    for g in ("governance", "infra_governance"):
        check(g + ".pending", state[g]["pending"],
              lambda c: (c["apply_epoch"], int(c["proposal_id"])))
        props = state[g]["proposals"]
        check(g + ".proposals", props, lambda p: int(p["id"]))
        for p in props:
            check("%s.proposals[%s].ballots" % (g, p["id"]), p["ballots"],
                  lambda b: id_key(b["voter"]))
    return probs


def encode_all(state, registry):
    keys(state, MODULES, "state")
    window = state["governance"]["params"].get("vote_eligibility_window")
    window = j_int(window)
    return [
        enc_ledger(state["ledger"]),
        enc_staking(state["staking"]),
        enc_coherence(state["coherence"], window),
        enc_governance(state["governance"], 3, registry),
        enc_memory(state["memory"]),
        enc_treasury(state["treasury"]),
        enc_nod(state["nod"]),
        enc_governance(state["infra_governance"], 7, registry),
        enc_receipts(state["receipts"]),
        enc_auth(state["auth"]),
    ]


def root_bytes(module_hashes):
    """SPEC 10.3: u32 version || u32 module_count || H_0 || ... || H_9."""
    return u32(FORMAT_VERSION) + u32(len(MODULES)) + \
        b"".join(bytes.fromhex(h) for h in module_hashes)


def empty_state(registry):
    """SPEC 2: before genesis every collection is empty, every number is 0,
    C-hat is 1, the deficit flag is false and the parameters hold their
    defaults (SPEC 7), written as SPEC 11's JSON."""
    zeros = {a: "0" for a in ASSETS}

    def ratio(n):
        s = "%d.%018d" % divmod(n, 10 ** 18)
        return s.rstrip("0").rstrip(".")

    def value(p):
        return ratio(p.default) if p.unit == "fp18" else \
            str(p.default) if p.unit == "amount" else p.default

    def params(domains):
        return {p.name: value(p) for p in registry if p.domain in domains}

    gov = {"closed_digest": "0" * 32, "last_proposal_id": None, "pending": [],
           "proposals": [], "proposals_accepted": 0}

    return {
        "ledger": {"accounts": [], "chain_id": "", "epoch": 0, "genesis": False,
                   "issued": dict(zeros), "last_timestamp_ms": "0"},
        "staking": {"staked_total": "0", "unbonding": [], "unbonding_total": "0",
                    "validators": []},
        "coherence": {"c_core": "0", "c_hat": "1", "c_impact": "0", "c_lambda": "0",
                      "deficit": False, "validators": []},
        "governance": dict(gov, params=params(PARAM_DOMAINS["governance"])),
        "memory": {"epoch_contributions": 0, "epoch_lambda_sum": "0",
                   "epoch_rewarded": 0, "nodes": []},
        "treasury": {"balances": dict(zeros), "burned": dict(zeros),
                     "fees_total_atr": "0", "t2_minted_last": "0",
                     "t2_paid_last": "0", "t2_pool": "0"},
        "nod": {"active_last": 0, "allocated_last": "0", "cut_total": "0",
                "issued_epoch": "0", "nodes": [], "pool": "0"},
        "infra_governance": dict(gov, params=params(PARAM_DOMAINS["infra_governance"])),
        "receipts": {"chain": "0" * 32, "events": 0, "rejected": 0},
        "auth": {"accounts": [], "authentication": None,
                 "holders": {r: None for r in ROLES}},
    }


# --------------------------------------------------------------------- hashes

def xxh128_many(xxhsum, blobs):
    """XXH3-128 of each blob, as 32 hex digits of the canonical bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, b in enumerate(blobs):
            p = os.path.join(tmp, "m%d.bin" % i)
            with open(p, "wb") as f:
                f.write(b)
            paths.append(p)
        r = subprocess.run([xxhsum, "-H2"] + paths, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("xxhsum failed: %s" % r.stderr.decode(errors="replace"))
    got = {}
    for line in r.stdout.decode().splitlines():
        # "<32 hex>  <path>" (GNU style); xxhsum 0.8.x prints big-endian hex.
        m = re.match(r"^([0-9a-f]{32})  (.*)$", line)
        if m:
            got[m.group(2)] = m.group(1)
    try:
        return [got[p] for p in paths]
    except KeyError:
        raise RuntimeError("unexpected xxhsum output: %r" % r.stdout[:300])


def xxh128_stdin(xxhsum, data):
    r = subprocess.run([xxhsum, "-H2"], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    m = re.match(rb"^([0-9a-f]{32})  ", r.stdout)
    if r.returncode != 0 or not m:
        raise RuntimeError("xxhsum failed: %r" % (r.stdout + r.stderr)[:300])
    return m.group(1).decode()


def hash_state(xxhsum, encs):
    """(module hashes, root) of the nine encodings."""
    mods = xxh128_many(xxhsum, encs + [b""])
    # SPEC 10.3's first check value: the canonical (big-endian) bytes of
    # XXH3_128 of nothing. Another byte order would fail every module.
    if mods.pop() != XXH128_EMPTY:
        raise RuntimeError("%s -H2 does not print canonical XXH3-128 hex" % xxhsum)
    return mods, xxh128_many(xxhsum, [root_bytes(mods)])[0]


def replay_trace(qfs, xxhsum, log, registry, delay, final_epoch):
    """From the per-event trace of `qfs replay LOG --trace -`:

    - SPEC 3: the receipt chain and counts, as (events, rejected, chain hex);
    - SPEC 5.9 and 10.2: per governance, the closed-proposal digest folded
      from the closed-proposal records of the tallies each accepted
      epoch_close line reports, and the pending changes those tallies leave
      at the end: a passed proposal tallied at the close of E is pending
      with apply epoch min(E + delay, 2^64 - 1) until the close of its apply
      epoch (delay = gov_apply_delay_epochs, genesis-only, so the value in
      the final state is the one of every tally).

    The tallies are checked against SPEC 5.9 on the way: a proposal is
    tallied at the close of its end epoch (epochs count the accepted
    closes from 0), in ascending id per governance, and only a passed one
    has an apply epoch.

    Returns ((events, rejected, chain hex), {governance: (digest hex, pending)})."""
    r = subprocess.run([qfs, "replay", log, "--trace", "-"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("qfs replay --trace exited %d" % r.returncode)
    chain = bytes(16)
    digests = {g: bytes(16) for g in GOV_DOMAINS}
    pending = {g: [] for g in GOV_DOMAINS}
    events = rejected = epoch = 0
    for line in r.stdout.splitlines():
        if not line.startswith(b"{"):
            continue  # the summary after the trace
        t = json.loads(line, parse_float=no_float)
        if t["event"] != events:
            raise RuntimeError("trace skips from event %d to %d" % (events, t["event"]))
        if t["code"] != 0:
            chain = bytes.fromhex(xxh128_stdin(xxhsum, chain + u64(events) + u32(t["code"])))
            rejected += 1
        tallies = items(t.get("tallies", []), "trace event %d tallies" % events)
        if tallies and (t["kind"] != "epoch_close" or t["code"] != 0):
            raise SpecError("trace event %d: tallies outside an accepted epoch_close" % events)
        last_id = {}
        for p in tallies:
            where = "trace event %d tally %s" % (events, p.get("id"))
            g = {"social": "governance", "infra": "infra_governance"}.get(p.get("governance"))
            if g is None:
                raise SpecError("%s: governance %r" % (where, p.get("governance")))
            rec = enc_closed_record(p, registry, GOV_DOMAINS[g], where)
            pid = j_u64str(p["id"])
            if p["end_epoch"] != epoch:
                raise SpecError("%s: end epoch %r tallied at the close of %d"
                                % (where, p["end_epoch"], epoch))
            if pid <= last_id.get(g, -1):
                raise SpecError("%s: not in ascending id order" % where)
            last_id[g] = pid
            want_apply = min(epoch + delay, U64_MAX) if p["status"] == "passed" else None
            if p["apply_epoch"] != want_apply:
                raise SpecError("%s: apply_epoch %r, SPEC 5.9 gives %r"
                                % (where, p["apply_epoch"], want_apply))
            digests[g] = bytes.fromhex(xxh128_stdin(xxhsum, digests[g] + rec))
            if want_apply is not None:
                pending[g].append({"apply_epoch": want_apply, "param": p["param"],
                                   "proposal_id": p["id"], "value": p["value"]})
        if t["kind"] == "epoch_close" and t["code"] == 0:
            # The changes due at this close were applied in the same step.
            for g in pending:
                pending[g] = [c for c in pending[g] if c["apply_epoch"] > epoch]
            epoch += 1
        events += 1
    if epoch != final_epoch:
        raise SpecError("the trace has %d accepted closes, the state is at epoch %d"
                        % (epoch, final_epoch))
    gov = {}
    for g in GOV_DOMAINS:
        pending[g].sort(key=lambda c: (c["apply_epoch"], j_u64str(c["proposal_id"])))
        gov[g] = (digests[g].hex(), pending[g])
    return (events, rejected, chain.hex()), gov


def run_json(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), r.returncode,
                                                r.stderr.decode(errors="replace")))
    # Integers stay exact (Python ints); a float would be a SPEC 11 violation.
    return json.loads(r.stdout, parse_float=no_float)


def no_float(text):
    raise SpecError("a JSON number with a fraction or exponent: %s" % text)


def check_values(a, registry):
    """SPEC 10.3's check values, from SPEC 2 and 7 alone."""
    prefix, want_receipts, want_root = read_check_values(a.spec)
    encs = encode_all(empty_state(registry), registry)
    mods, root = hash_state(a.xxhsum, encs)
    bad = 0
    # SPEC 10.2's worked closed-proposal record (proposal 3 by n1 on
    # replication_factor = 4, epochs 0 to 2, snapshot 10, no 2, cast 10,
    # rejected), encoded from the field list, against the bytes the SPEC
    # writes out and the digest it gives.
    ex_bytes, ex_digest = read_closed_example(a.spec)
    record = enc_closed_record(
        {"abstain": "0", "apply_epoch": None, "created_epoch": 0, "end_epoch": 2,
         "governance": "infra", "id": "3", "no": "2", "param": "replication_factor",
         "proposer": "n1", "quorum_cast": "10", "status": "rejected",
         "supply_snapshot": "10", "value": 4, "yes": "0"},
        registry, GOV_DOMAINS["infra_governance"], "SPEC 10.2 example")
    digest = xxh128_stdin(a.xxhsum, bytes(16) + record)
    for what, got, want in (("receipts bytes", encs[8].hex(), prefix.hex()),
                            ("receipts", mods[8], want_receipts),
                            ("root", root, want_root),
                            ("closed record", record.hex(), ex_bytes.hex()),
                            ("closed digest", digest, ex_digest)):
        if got == want:
            print("%-16s match    %s" % (what, got))
        else:
            bad += 1
            print("%-16s mismatch spec-10.3 %s recomputed %s" % (what, want, got))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", nargs="?")
    ap.add_argument("--qfs", default=os.environ.get("QFS", "qfs"))
    ap.add_argument("--xxhsum", default="xxhsum")
    ap.add_argument("--spec", default=DEFAULT_SPEC,
                    help="docs/SPEC.md (its section 7 table is the parameter registry)")
    ap.add_argument("--dump-dir", help="also write each module's encoding here")
    ap.add_argument("--no-chain", action="store_true",
                    help="do not read the trace (the receipt chain of SPEC 3, the closed"
                         " digests and pending changes of SPEC 5.9)")
    ap.add_argument("--check-values", action="store_true",
                    help="recompute SPEC 10.3's check values for the empty state")
    a = ap.parse_args()
    if (a.log is None) != a.check_values:
        ap.error("give a LOG, or --check-values alone")

    try:
        registry = read_registry(a.spec)
        if a.check_values:
            return check_values(a, registry)
        state = run_json([a.qfs, "state", a.log])
        want = run_json([a.qfs, "replay", a.log, "--json", "--modules"])
        encs = encode_all(state, registry)
        chain, gov = None, {}
        if not a.no_chain:
            chain, gov = replay_trace(
                a.qfs, a.xxhsum, a.log, registry,
                j_int(state["governance"]["params"]["gov_apply_delay_epochs"]),
                j_int(state["ledger"]["epoch"]))
            # The pending changes the tallies leave, in the encoding of 10.2
            # (so compared as values, whatever their JSON spelling).
            gov = {g: (d, enc_pending(p, registry, GOV_DOMAINS[g], g + " (trace)"),
                       enc_pending(state[g]["pending"], registry, GOV_DOMAINS[g],
                                   g + ".pending"), p)
                   for g, (d, p) in gov.items()}
        mods, root = hash_state(a.xxhsum, encs)
        if a.dump_dir:
            os.makedirs(a.dump_dir, exist_ok=True)
            for name, b in zip(MODULES, encs):
                with open(os.path.join(a.dump_dir, name + ".bin"), "wb") as f:
                    f.write(b)
    except SpecError as e:
        print("recompute.py: %s: not as the SPEC gives it: %s" % (a.log, e), file=sys.stderr)
        return 1
    except (RuntimeError, OSError, ValueError, KeyError, TypeError) as e:
        print("recompute.py: %s: %s: %s" % (a.log, type(e).__name__, e), file=sys.stderr)
        return 2

    bad = 0
    if chain is not None:
        rc = state["receipts"]
        shown = (rc["events"], rc["rejected"], rc["chain"])
        if chain == shown:
            print("%-16s match    %s" % ("receipt_chain", chain[2]))
        else:
            bad += 1
            print("%-16s mismatch spec %r qfs %r" % ("receipt_chain", chain, shown))
    for g, (digest, derived, shown_pending, plist) in gov.items():
        who = "infra" if g == "infra_governance" else "social"
        shown = state[g]["closed_digest"]
        if digest == shown:
            print("%-16s match    %s" % (who + "_closed", shown))
        else:
            bad += 1
            print("%-16s mismatch spec %s qfs %s" % (who + "_closed", digest, shown))
        if derived == shown_pending:
            print("%-16s match    %d pending" % (who + "_pending", len(plist)))
        else:
            bad += 1
            print("%-16s mismatch spec %s qfs %s" % (who + "_pending", json.dumps(plist),
                                                     json.dumps(state[g]["pending"])))
    order = json_order_problems(state)
    if order:
        bad += 1
        print("%-16s mismatch not in canonical order: %s" % ("json_order", ", ".join(order)))
    else:
        print("%-16s match" % "json_order")
    for name, h in zip(MODULES, mods):
        q = want["modules"].get(name)
        if q == h:
            print("%-16s match    %s" % (name, h))
        else:
            bad += 1
            print("%-16s mismatch spec %s qfs %s" % (name, h, q))
    if want.get("state_hash") == root:
        print("%-16s match    %s" % ("root", root))
    else:
        bad += 1
        print("%-16s mismatch spec %s qfs %s" % ("root", root, want.get("state_hash")))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
