#!/usr/bin/env python3
"""Runs the GPU part of `codessm study` from its bundle (plan.json + jobs/*.json + data.tar.xz, written by
`codessm study` in device mode) and writes what comes back under OUT (docs/study.md §Device runs).

Jobs run in plan order on `--slots` workers (one per GPU by default: CUDA_VISIBLE_DEVICES=<gpu>); a job starts
once the job it starts from has finished. After each job its folder is packed at once, so whatever finished is in
OUT even if the call is killed at its time limit:
  OUT/study-<job>.tar[.part-NN]   a job with a checkpoint (split into parts of <= 15 MiB)
  OUT/study-misc.tar              every job without a checkpoint (rewritten after each)
  OUT/log.txt                     written by tools/gpu_study.sh
Checkpoints come back as bf16 with the SSM kernel parameters (fs4/bs4) kept in fp32, or as the SSM/HF-conv
tensors alone ("kernels"), so that four of them fit the 64 MiB a call may return. Standard library only (torch is
used for the bf16 cast when present, else a pure-Python round-to-nearest-even cast with identical bits).
"""
import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import time

PART = 15 * 1024 * 1024          # bytes per returned file
MAX_FILES = 8                    # files a device call may return
MAX_BYTES = 64 * 1024 * 1024     # bytes a device call may return
KERNEL_MARKERS = (".fs4.", ".bs4.", ".fconv.", ".bconv.")


# ---------------------------------------------------------------- safetensors (read/write, no dependencies)

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        b, t = e["data_offsets"]
        out[name] = (e["dtype"], e["shape"], data[b:t])
    return out, meta


def write_safetensors(path, tensors, meta=None):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def f32_to_bf16(raw):
    """fp32 bytes -> bf16 bytes, round to nearest even (NaN stays a quiet NaN), as torch's .to(bfloat16)."""
    try:
        import torch  # noqa: the GPU machine has it; the cast is bit-identical to the loop below
        t = torch.frombuffer(bytearray(raw), dtype=torch.float32)
        return bytes(t.to(torch.bfloat16).untyped_storage())
    except Exception:
        pass
    import array
    a = array.array("I")
    a.frombytes(raw)
    out = array.array("H", bytes(2 * len(a)))
    for i, u in enumerate(a):
        if (u & 0x7F800000) == 0x7F800000 and (u & 0x007FFFFF):
            out[i] = 0x7FC0
        else:
            out[i] = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF
    return out.tobytes()


def load_checkpoint_tensors(ckpt):
    """All tensors of a checkpoint folder (one file or shards + index)."""
    single = os.path.join(ckpt, "model.safetensors")
    files = [single] if os.path.exists(single) else sorted(
        os.path.join(ckpt, f) for f in os.listdir(ckpt) if f.endswith(".safetensors"))
    tensors, meta = {}, None
    for f in files:
        t, m = read_safetensors(f)
        tensors.update(t)
        meta = meta or m
    return tensors, meta


def export_checkpoint(ckpt, dst, mode):
    """mode full: bf16 except the SSM kernel parameters; kernels: only the SSM/HF-conv tensors (fp32)."""
    os.makedirs(dst, exist_ok=True)
    tensors, meta = load_checkpoint_tensors(ckpt)
    out = {}
    for name, (dtype, shape, raw) in tensors.items():
        kernel = any(k in name for k in KERNEL_MARKERS)
        if mode == "kernels" and not kernel:
            continue
        if dtype == "F32" and not kernel:
            out[name] = ("BF16", shape, f32_to_bf16(raw))
        else:
            out[name] = (dtype, shape, raw)
    write_safetensors(os.path.join(dst, "model.safetensors"), out, meta)
    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    cfg["torch_dtype"] = "bfloat16" if mode == "full" else cfg.get("torch_dtype", "float32")
    cfg["codessm_export"] = {"mode": mode, "fp32": "SSM kernel parameters (fs4/bs4) and HF convs" if mode == "full"
                             else "only SSM/HF-conv tensors are present"}
    json.dump(cfg, open(os.path.join(dst, "config.json"), "w"), indent=2)


# ---------------------------------------------------------------- jobs

def latest_checkpoint(run):
    if not os.path.isdir(run):
        return None
    c = sorted(d for d in os.listdir(run) if d.startswith("ckpt-")
               and os.path.exists(os.path.join(run, d, "train_state.json")))
    return os.path.join(run, c[-1]) if c else None


class Job:
    def __init__(self, spec, args, plan):
        self.spec, self.args, self.plan = spec, args, plan
        self.id = spec["id"]
        self.dir = os.path.join(args.work, self.id)
        self.status, self.error, self.proc, self.t0, self.seconds, self.steps = "waiting", "", None, 0, 0, []
        self.start_ckpt = None  # the fp32 checkpoint dependents start from

    def load_done(self):
        """Marks the job ok when an earlier call of the runner finished it (its done.json)."""
        f = os.path.join(self.dir, "done.json")
        if not os.path.exists(f):
            return False
        d = json.load(open(f))
        if d.get("input_hash") != self.spec["input_hash"]:
            return False
        self.status, self.seconds, self.steps, self.start_ckpt = "ok", d["seconds"], d["steps"], d["start_ckpt"]
        return True

    def save_done(self):
        d = {"input_hash": self.spec["input_hash"], "seconds": self.seconds, "steps": self.steps,
             "start_ckpt": self.start_ckpt}
        tmp = os.path.join(self.dir, ".done.json")
        json.dump(d, open(tmp, "w"))
        os.replace(tmp, os.path.join(self.dir, "done.json"))

    def device(self):
        return json.load(open(self.spec["config"])).get("device", "cuda")

    def commands(self, deps, budget):
        s, b, d = self.spec, self.args.bin, self.dir
        dev = self.device()
        if s["kind"] == "pretrain":
            cmd = [b, "pretrain", "--config", s["config"], "--out", f"{d}/run", "--no-progress"]
            if budget > 0:
                cmd += ["--max-seconds", str(int(budget))]
            return [cmd]
        start = deps[s["model_from"]].start_ckpt if s["model_from"] in deps else s.get("start")
        # Near the deadline a fine-tune stops early by time (and still scores its test split) instead of being killed.
        cap = [] if budget <= 0 else ["--max-seconds", str(int(max(15, budget)))]
        if s["kind"] == "finetune":
            return [[b, "finetune", "--config", s["config"], "--set", f"model={start}", "--out", f"{d}/run",
                     "--no-progress"] + cap]
        cfg = json.load(open(s["config"]))
        if budget > 0:
            cap = ["--max-seconds", str(int(max(10, budget / max(1, len(s["lengths"])))))]
        return [[b, "extrapolate", "--config", s["config"], "--model", start, "--lengths",
                 ",".join(str(x) for x in s["lengths"]), "--mlm-shards", self.plan["paths"]["valid_shards"],
                 "--mlm-tokens", str(s["mlm_tokens"]), "--device", dev, "--dtype", cfg.get("dtype", "fp32"),
                 "--out", d, "--no-progress"] + cap]

    def after(self, env):
        """Post-processing once the training command succeeded: final checkpoint, held-out check."""
        s, d = self.spec, self.dir
        run = os.path.join(d, "run")
        if s["kind"] == "pretrain":
            self.start_ckpt = latest_checkpoint(run)
            if not self.start_ckpt:
                raise RuntimeError("the pretraining run wrote no checkpoint")
        elif s["kind"] == "finetune":
            best = os.path.join(run, "best")
            self.start_ckpt = best if os.path.exists(os.path.join(best, "config.json")) else latest_checkpoint(run)
        if s["kind"] != "extrapolate" and s["returns"] != "none":
            export_checkpoint(self.start_ckpt, os.path.join(d, "final"), s["returns"])
        if s.get("heldout"):  # the held-out check that ships with the checkpoint (docs/study.md)
            h = s["heldout"]
            model = os.path.join(d, "final") if s["returns"] == "full" else self.start_ckpt
            cmd = [self.args.bin, "eval", "--task", h["task"], "--model", model, "--tokenizer",
                   self.plan["paths"]["tokenizer"], "--data", h["data"], "--device", self.device(),
                   "--out", f"{d}/heldout"]
            for k, v in h["set"].items():  # batch_size is a flag of eval, the rest fields of its config
                cmd += ["--batch-size", str(v)] if k == "batch_size" else ["--set", f"{k}={json.dumps(v)}"]
            self.steps.append(" ".join(cmd))
            with open(os.path.join(d, "log.txt"), "a") as log:
                subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True, env=env)

    def collect(self, dst):
        """The job folder as the study imports it (train_jobs.cpp): configs, metrics, reports, final/, heldout/."""
        s = self.spec
        root = os.path.join(dst, self.id)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)

        def copy_run(src, to):
            if not os.path.isdir(src):
                return
            os.makedirs(to, exist_ok=True)
            for n in ("metrics.jsonl", "run_config.json"):
                if os.path.exists(os.path.join(src, n)):
                    shutil.copy(os.path.join(src, n), to)
            if os.path.isdir(os.path.join(src, "reports")):
                shutil.copytree(os.path.join(src, "reports"), os.path.join(to, "reports"))

        if s["kind"] == "extrapolate":
            for n in ("extrapolation.json", "extrapolation.md"):
                if os.path.exists(os.path.join(self.dir, n)):
                    shutil.copy(os.path.join(self.dir, n), root)
            if os.path.isdir(os.path.join(self.dir, "figures")):
                shutil.copytree(os.path.join(self.dir, "figures"), os.path.join(root, "figures"))
            for L in s["lengths"]:
                copy_run(os.path.join(self.dir, f"L{L}"), os.path.join(root, f"L{L}"))
        else:
            copy_run(os.path.join(self.dir, "run"), os.path.join(root, "run"))
        for n in ("final", "heldout"):
            if os.path.isdir(os.path.join(self.dir, n)):
                shutil.copytree(os.path.join(self.dir, n), os.path.join(root, n))
        job = {"id": self.id, "key": s["key"], "input_hash": s["input_hash"], "plan_hash": self.plan["plan_hash"],
               "status": self.status, "error": self.error, "seconds": round(self.seconds, 1),
               "machine": self.args.machine, "commands": self.steps}
        json.dump(job, open(os.path.join(root, "job.json"), "w"), indent=2)
        return root


# ---------------------------------------------------------------- packing what comes back

class Packer:
    def __init__(self, out, work):
        self.out, self.stage = out, os.path.join(work, "_return")
        self.small = []      # job ids in study-misc.tar
        self.skipped = []    # job ids that did not fit the return limits
        os.makedirs(self.stage, exist_ok=True)
        self.ledger = os.path.join(self.stage, "returned.json")  # job ids already returned by an earlier call
        self.done = set(json.load(open(self.ledger))) if os.path.exists(self.ledger) else set()

    def _record(self, ids):
        self.done.update(ids)
        json.dump(sorted(self.done), open(self.ledger, "w"))

    def returned(self):
        files = [f for f in os.listdir(self.out) if not f.startswith(".")]
        return files, sum(os.path.getsize(os.path.join(self.out, f)) for f in files)

    def _tar(self, name, ids):
        tmp = os.path.join(self.stage, name)
        with tarfile.open(tmp, "w") as t:
            for i in ids:
                t.add(os.path.join(self.stage, i), arcname=i)
        return tmp

    def _place(self, tmp, name, reserve_log=True):
        """Moves tmp into OUT as name (or name.part-NN pieces) if the return limits allow it."""
        size = os.path.getsize(tmp)
        parts = max(1, -(-size // PART))
        files, total = self.returned()
        old = [f for f in files if f == name or f.startswith(name + ".part-")]
        old_bytes = sum(os.path.getsize(os.path.join(self.out, f)) for f in old)
        n_files = len(files) - len(old) + parts + (0 if "log.txt" in files or not reserve_log else 1)
        if n_files > MAX_FILES or total - old_bytes + size > MAX_BYTES - 512 * 1024:
            return False
        for f in old:
            os.remove(os.path.join(self.out, f))
        if parts == 1:
            shutil.copy(tmp, os.path.join(self.out, "." + name))
            os.replace(os.path.join(self.out, "." + name), os.path.join(self.out, name))
        else:
            with open(tmp, "rb") as f:
                for i in range(parts):
                    p = f"{name}.part-{i:02d}"
                    with open(os.path.join(self.out, "." + p), "wb") as g:
                        g.write(f.read(PART))
                    os.replace(os.path.join(self.out, "." + p), os.path.join(self.out, p))
        os.remove(tmp)
        return True

    def add(self, job):
        job.collect(self.stage)
        self.place(job.id)

    def place(self, jid, misc="study-misc.tar"):
        if os.path.isdir(os.path.join(self.stage, jid, "final")):
            name = f"study-{jid}.tar"
            if self._place(self._tar(name, [jid]), name):
                self._record([jid])
                return
        else:
            self.small.append(jid)
            if self._place(self._tar(misc, self.small), misc):
                self._record(self.small)
                return
            self.small.pop()
        self.skipped.append(jid)
        print(f"[study] {jid}: does not fit the return limits ({MAX_FILES} files, 64 MiB); it stays in "
              f"{self.stage} (STAGES=fetch returns it in a second call while the machine is warm)", flush=True)

    def fetch(self):
        """A second call: returns every collected job folder that no earlier call returned."""
        for jid in sorted(os.listdir(self.stage)):
            if os.path.isdir(os.path.join(self.stage, jid)) and jid not in self.done:
                self.place(jid, misc="study-misc-2.tar")


# ---------------------------------------------------------------- scheduler

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", default=".device/study/plan.json")
    ap.add_argument("--bin", default="build-gpu/cli/codessm")
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", default="/tmp/codessm_study")
    ap.add_argument("--gpus", default="0,1", help="GPU ids, one worker slot per entry ('' = no CUDA_VISIBLE_DEVICES)")
    ap.add_argument("--share", type=int, default=2, help="fine-tuning jobs at a time per GPU")
    ap.add_argument("--pretrain-share", type=int, default=1,
                    help="pretraining jobs at a time per GPU (small models leave an H200 mostly idle alone)")
    ap.add_argument("--deadline", type=float, default=0, help="seconds from now after which nothing starts and "
                    "running jobs are stopped (0 = none)")
    ap.add_argument("--pretrain-seconds", type=float, default=-1,
                    help="time budget per pretraining run (default: the plan's max_seconds)")
    ap.add_argument("--only", default="", help="comma-separated job ids")
    ap.add_argument("--machine", default=os.environ.get("CODESSM_MACHINE", ""))
    ap.add_argument("--fetch", action="store_true", help="return what an earlier call could not (no jobs run)")
    args = ap.parse_args()
    if args.fetch:
        os.makedirs(args.out, exist_ok=True)
        p = Packer(args.out, args.work)
        p.fetch()
        files, total = p.returned()
        print(f"returned: {len(files)} files, {total / 2**20:.1f} MiB: {' '.join(sorted(files))}")
        return 0
    t_start = time.time()
    plan = json.load(open(args.plan))
    bundle = os.path.dirname(args.plan)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    marker = os.path.join(bundle, "data", ".unpacked-" + plan["plan_hash"][:16])
    if not os.path.exists(marker):
        shutil.rmtree(os.path.join(bundle, "data"), ignore_errors=True)
        with tarfile.open(os.path.join(bundle, plan["data"]["file"]), "r:xz") as t:
            t.extractall(bundle)
        open(marker, "w").close()
        print(f"[study] unpacked {plan['data']['file']} in {time.time() - t_start:.0f}s", flush=True)

    only = set(x for x in args.only.split(",") if x)
    jobs = [Job(s, args, plan) for s in plan["jobs"] if not only or s["id"] in only]
    by_id = {j.id: j for j in jobs}
    gpus = [g for g in args.gpus.split(",")] if args.gpus else [""]
    # A GPU holds --pretrain-share pretraining jobs or --share fine-tunes (a job's cost is its share of the GPU).
    load = {g: 0.0 for g in gpus}

    def cost(kind):
        return 1.0 / max(1, args.pretrain_share if kind == "pretrain" else args.share)

    def place(kind):
        for g in gpus:
            if load[g] + cost(kind) <= 1.0 + 1e-9:
                return g
        return None

    # Jobs finished by an earlier call on this (still warm) machine are not run again: their dependents start
    # from the recorded checkpoint, and they are packed again only if no call has returned them yet.
    for job in jobs:
        if job.load_done():
            print(f"[study] {job.id}: ok in an earlier call ({job.seconds:.0f}s)", flush=True)
    running = {}
    packer = Packer(args.out, args.work)
    deadline = t_start + args.deadline if args.deadline > 0 else float("inf")

    def finish(job, status, error=""):
        job.status, job.error = status, error
        job.seconds = time.time() - job.t0 if job.t0 else 0
        print(f"[study] {job.id}: {status} after {job.seconds:.0f}s {error}", flush=True)
        if status == "ok":
            job.save_done()
        try:
            packer.add(job)
        except Exception as e:  # packing must never lose the other jobs
            print(f"[study] {job.id}: packing failed: {e}", flush=True)

    while True:
        started = False
        # start what is ready
        for job in jobs:
            if job.status != "waiting" or place(job.spec["kind"]) is None:
                continue
            dep = job.spec.get("model_from")
            if dep and dep in by_id and by_id[dep].status in ("failed", "skipped", "timeout"):
                finish(job, "skipped", f"{dep} did not finish")
                continue
            if dep and dep not in by_id and not job.spec.get("start"):
                finish(job, "skipped", f"its starting checkpoint ({dep}) is neither in this plan nor in the bundle")
                continue
            if dep and dep in by_id and by_id[dep].status != "ok":
                continue
            started = True
            left = deadline - time.time()
            if left < 30:
                finish(job, "skipped", "no time left before the deadline")
                continue
            if job.spec["kind"] == "pretrain":
                budget = job.spec.get("max_seconds", 0) if args.pretrain_seconds < 0 else args.pretrain_seconds
                if left < float("inf"):
                    budget = min(budget or left, left - 45)  # time for the checkpoint, the cast and the check
            else:
                budget = left - 40 if left < float("inf") else 0
            gpu = place(job.spec["kind"])
            load[gpu] += cost(job.spec["kind"])
            os.makedirs(job.dir, exist_ok=True)
            job.steps = [" ".join(c) for c in job.commands(by_id, budget)]
            env = dict(os.environ)
            if gpu != "":
                env["CUDA_VISIBLE_DEVICES"] = gpu
            log = open(os.path.join(job.dir, "log.txt"), "a")
            job.t0 = time.time()
            job.proc = subprocess.Popen(job.commands(by_id, budget)[0], stdout=log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
            job.status, job.gpu = "running", gpu
            running[job.id] = job
            print(f"[study] {job.id}: started on {'GPU ' + gpu if gpu else 'the default device'}"
                  f"{f' (budget {budget:.0f}s)' if job.spec['kind'] == 'pretrain' and budget else ''}", flush=True)
        if not running:
            if not started:  # nothing runs and nothing could start: what still waits never will
                for j in jobs:
                    if j.status == "waiting":
                        finish(j, "skipped", "never became ready")
                break
            continue
        time.sleep(0.5)
        for jid, job in list(running.items()):
            rc = job.proc.poll()
            if rc is None and time.time() > deadline:
                os.killpg(job.proc.pid, signal.SIGTERM)
                try:
                    job.proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(job.proc.pid, signal.SIGKILL)
                    job.proc.wait()
                rc = "deadline"
            if rc is None:
                continue
            del running[jid]
            load[job.gpu] -= cost(job.spec["kind"])
            if rc == 0:
                try:
                    env = dict(os.environ)
                    if job.gpu != "":
                        env["CUDA_VISIBLE_DEVICES"] = job.gpu
                    job.after(env)
                    finish(job, "ok")
                except Exception as e:
                    finish(job, "failed", f"post-processing: {e}")
            elif rc == "deadline":
                finish(job, "timeout", "stopped at the deadline")
            else:
                tail = open(os.path.join(job.dir, "log.txt")).read()[-1500:]
                finish(job, "failed", f"exit status {rc}: ...{tail}")

    # ---- summary ----
    print("\n| job | status | seconds | result |\n|---|---|---:|---|")
    for j in jobs:
        res = ""
        try:
            if j.spec["kind"] == "pretrain":
                e = json.load(open(os.path.join(j.dir, "heldout", "eval.json")))["results"]["results"]
                r = json.load(open(os.path.join(j.dir, "run", "reports", "pretrain.json")))["results"]
                res = (f"{r['steps']} steps, {r.get('tokens_seen', 0) / 1e6:.1f}M tokens, held-out acc "
                       f"{list(e.values())[0]['eval_accuracy']:.4f}")
            elif j.spec["kind"] == "finetune":
                r = json.load(open(os.path.join(j.dir, "run", "reports", "finetune.json")))["results"]
                t = r.get("test", {})
                res = ", ".join(f"{k} {t[k]:.4f}" for k in ("f1", "mrr") if k in t)
            else:
                r = json.load(open(os.path.join(j.dir, "extrapolation.json")))["results"]
                res = ", ".join(f"L{x['length']}: {x.get('value', float('nan')):.4f}" for x in r["rows"]
                                if isinstance(x.get("value"), (int, float)))
        except Exception:
            pass
        print(f"| {j.id} | {j.status} | {j.seconds:.0f} | {res} |")
    files, total = packer.returned()
    print(f"\nreturned: {len(files)} files, {total / 2**20:.1f} MiB: {' '.join(sorted(files))}")
    if packer.skipped:
        print(f"not returned (limits): {' '.join(packer.skipped)}")
    return 0 if all(j.status == "ok" for j in jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
