#!/usr/bin/env python3
"""Recomputes the state hash of a qfs log from docs/SPEC.md alone.

A second implementation of SPEC section 10 (canonical encoding and state hash):
it reads the canonical state JSON (`qfs state LOG`, SPEC section 11), builds
each module's canonical byte encoding as section 10.2 lists it, hashes it with
XXH3-128 through `xxhsum -H2` (which prints the canonical, big-endian bytes),
combines the nine module hashes into the root as section 10.3 says, and
compares every hash with `qfs replay LOG --json --modules`.

usage: recompute.py [--qfs PATH] [--xxhsum PATH] [--dump-dir DIR] LOG

It also rederives the receipt chain of SPEC section 3 from the per-event
receipts of `qfs replay LOG --trace -` and compares it (and the event and
rejection counts) with the receipts module of the state JSON.

Prints one line for the receipt chain, one per module and one for the root
("match" or "mismatch"), and exits 0 when all match, 1 on any mismatch, 2 on a usage or tool error.
Python 3 standard library only.
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
XXH128_EMPTY = "99aa06d3014798d86001c324468d497f"
FORMAT_VERSION = 1

# SPEC section 2: module order is the order of the module hashes.
MODULES = ["ledger", "staking", "coherence", "governance", "memory",
           "treasury", "nod", "infra_governance", "receipts"]
# SPEC section 10.1: per-asset sequences in enum order (values 1..7).
ASSETS = ["T1", "T2", "T3", "T4", "T5", "NOD", "ATR"]
KINDS = {"user": 1, "validator": 2, "infra_node": 3}
CHOICES = {"yes": 1, "no": 2, "abstain": 3}
STATUSES = {"open": 0, "passed": 1, "no_quorum": 2, "rejected": 3}


class SpecError(Exception):
    """The state JSON does not carry what the encoding needs."""


# ---------------------------------------------------------------- primitives

def u8(v):
    return struct.pack("<B", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    if not 0 <= v <= U64_MAX:
        raise SpecError("u64 out of range: %r" % (v,))
    return struct.pack("<Q", v)


def u128(v):
    if not 0 <= v < (1 << 128):
        raise SpecError("u128 out of range: %r" % (v,))
    return u64(v & U64_MAX) + u64(v >> 64)


def ident(s):
    b = s.encode("ascii")
    if len(b) > 64:
        raise SpecError("id longer than 64 bytes: %r" % (s,))
    return u8(len(b)) + b


def hash16(hexstr):
    b = bytes.fromhex(hexstr)
    if len(b) != 16:
        raise SpecError("hash16 is not 16 bytes: %r" % (hexstr,))
    return b


def lst(entries):
    return u32(len(entries)) + b"".join(entries)


def id_key(s):
    """Canonical id order: bytewise, the shorter id first on a common prefix."""
    return s.encode("ascii")


_DEC = re.compile(r"^(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$")


def fp18(v):
    """An exact decimal string (SPEC 11: ratios) as its 18-decimal fixed point."""
    if not isinstance(v, str):
        raise SpecError("ratio is not a decimal string: %r" % (v,))
    m = _DEC.match(v)
    if not m:
        raise SpecError("bad decimal: %r" % (v,))
    frac = (m.group(2) or "").ljust(18, "0")
    return int(m.group(1)) * 10 ** 18 + int(frac)


def amount(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise SpecError("amount is not a JSON integer: %r" % (v,))
    return v


def param_value(v):
    """A parameter value: fp18 parameters are decimal strings, others integers."""
    return fp18(v) if isinstance(v, str) else amount(v)


def per_asset(m):
    if sorted(m) != sorted(ASSETS):
        raise SpecError("per-asset map with keys %r" % (sorted(m),))
    return b"".join(u64(amount(m[a])) for a in ASSETS)


def header(index):
    return u32(FORMAT_VERSION) + u8(index)


# ---------------------------------------------------------- module encodings

def enc_ledger(j):
    accounts = sorted(j["accounts"], key=lambda a: id_key(a["id"]))
    out = header(0)
    out += u8(1 if j["genesis"] else 0)
    out += ident(j["chain_id"])
    out += u64(j["epoch"]) + u64(j["last_timestamp_ms"])
    out += lst([ident(a["id"]) + u8(KINDS[a["kind"]]) + per_asset(a["balances"])
                for a in accounts])
    out += per_asset(j["issued"])
    return out


def lock_plus1(v):
    # SPEC 4.12: stored as end_epoch + 1, 0 for never, saturating at 2^64 - 1.
    if v is None:
        return 0
    return min(amount(v) + 1, U64_MAX)


def enc_staking(j):
    out = header(1)
    vals = sorted(j["validators"], key=lambda v: id_key(v["id"]))
    out += lst([ident(v["id"]) + u64(v["staked"]) + u64(v["unbonding"]) +
                u64(v["slashed_t1"]) + u64(v["slashed_t4"]) +
                u64(v["t2_received"]) + u64(lock_plus1(v["ballot_lock_through"]))
                for v in vals])
    groups = {}
    for e in j["unbonding"]:
        k = (id_key(e["validator"]), amount(e["release_epoch"]))
        groups[k] = groups.get(k, 0) + amount(e["amount"])
    out += lst([u8(len(k[0])) + k[0] + u64(k[1]) + u64(groups[k])
                for k in sorted(groups)])
    out += u64(j["staked_total"]) + u64(j["unbonding_total"])
    return out


def enc_coherence(j, window):
    out = header(2)
    out += u64(fp18(j["c_hat"])) + u64(fp18(j["c_core"]))
    out += u64(fp18(j["c_lambda"])) + u64(fp18(j["c_impact"]))
    out += u8(1 if j["deficit"] else 0)
    entries = []
    for v in sorted(j["validators"], key=lambda v: id_key(v["id"])):
        reports = v["psi_reports"]
        want = min(amount(v["report_count"]), window)
        if len(reports) != want:
            raise SpecError("validator %s: %d reports shown, min(report_count, W) = %d"
                            % (v["id"], len(reports), want))
        entries.append(ident(v["id"]) + u64(fp18(v["base_psi"])) +
                       u64(v["report_count"]) +
                       lst([u64(fp18(r)) for r in reports]) +
                       u64(v["boost_amount"]) + u64(v["boost_until_ms"]))
    out += lst(entries)
    return out


def enc_params(params):
    return lst([ident(name) + u64(param_value(params[name]))
                for name in sorted(params, key=id_key)])


def enc_closed_record(p):
    """SPEC 10.2: the bytes of a tallied proposal folded into closed_digest."""
    return (u64(p["id"]) + ident(p["proposer"]) + ident(p["param"]) +
            u64(param_value(p["value"])) + u64(p["created_epoch"]) +
            u64(p["end_epoch"]) + u64(p["supply_snapshot"]) +
            u64(p["yes"]) + u64(p["no"]) + u64(p["abstain"]) +
            u64(p["quorum_cast"]) + u8(STATUSES[p["status"]]))


def enc_proposals(props):
    entries = []
    for p in sorted(props, key=lambda p: amount(p["id"])):
        ballots = sorted(p["ballots"], key=lambda b: id_key(b["voter"]))
        entries.append(
            u64(p["id"]) + ident(p["proposer"]) + ident(p["param"]) +
            u64(param_value(p["value"])) + u64(p["created_epoch"]) +
            u64(p["end_epoch"]) + u64(p["supply_snapshot"]) +
            u64(p["yes"]) + u64(p["no"]) + u64(p["abstain"]) +
            u64(p["quorum_cast"]) +
            lst([ident(b["voter"]) + u8(CHOICES[b["choice"]]) +
                 u64(b["weight"]) + u64(b["quorum_weight"]) for b in ballots]))
    return lst(entries)


def enc_pending(pending):
    return lst([u64(c["apply_epoch"]) + u64(c["proposal_id"]) + ident(c["param"]) +
                u64(param_value(c["value"])) for c in pending])


def enc_governance(j, index):
    last = j["last_proposal_id"]
    return (header(index) + enc_params(j["params"]) + u64(j["proposals_accepted"]) +
            u64(0 if last is None else last) + hash16(j["closed_digest"]) +
            enc_pending(j["pending"]) + enc_proposals(j["proposals"]))


def enc_memory(j):
    out = header(4)
    nodes = sorted(j["nodes"], key=lambda n: id_key(n["id"]))
    out += lst([ident(n["id"]) + u64(n["contributions"]) + u64(n["rewarded"]) +
                u64(n["t5_total"]) + u64(fp18(n["last_lambda"])) for n in nodes])
    out += u64(j["epoch_contributions"]) + u64(j["epoch_rewarded"])
    out += u128(fp18(j["epoch_lambda_sum"]))
    return out


def enc_treasury(j):
    out = header(5)
    out += per_asset(j["balances"]) + per_asset(j["burned"])
    out += u64(j["fees_total_atr"]) + u64(j["t2_pool"])
    out += u64(j["t2_minted_last"]) + u64(j["t2_paid_last"])
    return out


def enc_nod(j):
    out = header(6)
    out += u64(j["pool"]) + u64(j["issued_epoch"]) + u64(j["cut_total"])
    out += u64(j["allocated_last"]) + u64(j["active_last"])
    entries = []
    for n in sorted(j["nodes"], key=lambda n: id_key(n["id"])):
        te = n["telemetry_epoch"]
        te1 = 0 if te is None else amount(te) + 1
        entries.append(ident(n["id"]) + u64(te1) + u64(fp18(n["uptime"])) +
                       u64(fp18(n["replication"])) + u64(fp18(n["correctness"])) +
                       u64(n["nod_received"]))
    out += lst(entries)
    return out


def enc_receipts(j):
    return header(8) + u64(j["events"]) + u64(j["rejected"]) + hash16(j["chain"])


def json_order_problems(state):
    """SPEC 11: the JSON lists collections in the order of the encoding.

    The encoders above sort anyway; this checks the claim about the JSON."""
    probs = []

    def check(where, items, key):
        keys = [key(x) for x in items]
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            probs.append(where)

    byid = lambda x: id_key(x["id"])
    check("ledger.accounts", state["ledger"]["accounts"], byid)
    check("staking.validators", state["staking"]["validators"], byid)
    check("staking.unbonding", state["staking"]["unbonding"],
          lambda u: (id_key(u["validator"]), u["release_epoch"]))
    check("coherence.validators", state["coherence"]["validators"], byid)
    check("memory.nodes", state["memory"]["nodes"], byid)
    check("nod.nodes", state["nod"]["nodes"], byid)
    for g in ("governance", "infra_governance"):
        check(g + ".pending", state[g]["pending"],
              lambda c: (c["apply_epoch"], c["proposal_id"]))
        props = state[g]["proposals"]
        check(g + ".proposals", props, lambda p: p["id"])
        for p in props:
            check("%s.proposals[%d].ballots" % (g, p["id"]), p["ballots"],
                  lambda b: id_key(b["voter"]))
    return probs


def encode_all(state):
    window = amount(state["governance"]["params"]["vote_eligibility_window"])
    return [
        enc_ledger(state["ledger"]),
        enc_staking(state["staking"]),
        enc_coherence(state["coherence"], window),
        enc_governance(state["governance"], 3),
        enc_memory(state["memory"]),
        enc_treasury(state["treasury"]),
        enc_nod(state["nod"]),
        enc_governance(state["infra_governance"], 7),
        enc_receipts(state["receipts"]),
    ]


# --------------------------------------------------------------------- hashes

def xxh128_many(xxhsum, blobs, tmp):
    """XXH3-128 of each blob, as 32 hex digits of the canonical bytes."""
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


def receipt_chain(qfs, xxhsum, log):
    """SPEC section 3: the receipt chain and counts, from the per-event trace;
    and SPEC 5.9/10.2: the closed-proposal digest of each governance, from
    the tallies the trace reports at each epoch close.

    Returns ((events, rejected, chain hex), {governance: digest hex})."""
    r = subprocess.run([qfs, "replay", log, "--trace", "-"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("qfs replay --trace exited %d" % r.returncode)
    chain = bytes(16)
    digests = {"governance": bytes(16), "infra_governance": bytes(16)}
    events = rejected = 0
    for line in r.stdout.splitlines():
        if not line.startswith(b"{"):
            continue  # the summary after the trace
        t = json.loads(line)
        if t["event"] != events:
            raise RuntimeError("trace skips from event %d to %d" % (events, t["event"]))
        if t["code"] != 0:
            chain = bytes.fromhex(xxh128_stdin(xxhsum, chain + u64(events) + u32(t["code"])))
            rejected += 1
        for p in t.get("tallies", []):
            g = "infra_governance" if p["governance"] == "infra" else "governance"
            digests[g] = bytes.fromhex(xxh128_stdin(xxhsum, digests[g] + enc_closed_record(p)))
        events += 1
    return (events, rejected, chain.hex()), {g: d.hex() for g, d in digests.items()}


def run_json(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), r.returncode,
                                                r.stderr.decode(errors="replace")))
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("--qfs", default=os.environ.get("QFS", "qfs"))
    ap.add_argument("--xxhsum", default="xxhsum")
    ap.add_argument("--dump-dir", help="also write each module's encoding here")
    ap.add_argument("--no-chain", action="store_true",
                    help="do not rederive the receipt chain from the trace (SPEC 3)")
    a = ap.parse_args()

    try:
        state = run_json([a.qfs, "state", a.log])
        want = run_json([a.qfs, "replay", a.log, "--json", "--modules"])
        encs = encode_all(state)
        chain, digests = (None, None) if a.no_chain else receipt_chain(a.qfs, a.xxhsum, a.log)
        with tempfile.TemporaryDirectory() as tmp:
            mods = xxh128_many(a.xxhsum, encs + [b""], tmp)
            # SPEC 10.3's check value: the canonical (big-endian) bytes of
            # XXH3_128 of nothing. Another byte order would fail every module.
            if mods.pop() != XXH128_EMPTY:
                raise RuntimeError("%s -H2 does not print canonical XXH3-128 hex"
                                   % a.xxhsum)
            root_bytes = u32(FORMAT_VERSION) + u32(len(MODULES)) + \
                b"".join(bytes.fromhex(h) for h in mods)
            root = xxh128_many(a.xxhsum, [root_bytes], tmp)[0]
        if a.dump_dir:
            os.makedirs(a.dump_dir, exist_ok=True)
            for name, b in zip(MODULES, encs):
                with open(os.path.join(a.dump_dir, name + ".bin"), "wb") as f:
                    f.write(b)
    except SpecError as e:
        print("recompute.py: %s: state JSON gap: %s" % (a.log, e), file=sys.stderr)
        return 1
    except (RuntimeError, OSError, ValueError, KeyError) as e:
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
    for g in (digests or {}):
        shown = state[g]["closed_digest"]
        if digests[g] == shown:
            print("%-16s match    %s" % (("infra" if g.startswith("infra") else "social") + "_closed", shown))
        else:
            bad += 1
            print("%-16s mismatch spec %s qfs %s" % (("infra" if g.startswith("infra") else "social") + "_closed", digests[g], shown))
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
