"""Parity between codessm and the BiGS PyTorch reference, in both directions.

1. make-fixture: builds a tiny BiGSForMaskedLM with random weights (every parameter, the SSM ones included),
   writes it as a Hugging Face folder (config.json + model.safetensors), an input batch with right padding,
   and the reference outputs (logits and every hidden state, fp32, CPU) -> tests/data/parity/<name>/.
2. compare: compares a `codessm model forward` output file with the expected outputs (max relative error).
3. load-ours: loads a checkpoint written by `codessm model init` into BiGSForMaskedLM with the reference code,
   runs it, and compares with codessm's output on the same inputs.
4. bench: tokens/s of the reference BiGS (TF32) and, when transformers has it, ModernBERT (bf16, SDPA).

Usage: python3 tools/bigs_parity.py --bigs-dir .device/bigs <command> ...
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def tiny_config(conf_mod, positions):
    return conf_mod.BiGSConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=2, intermediate_size=192,
                               num_ssm=16, max_position_embeddings=128, hidden_dropout_prob=0.0,
                               position_embedding_type=positions, pad_token_id=0)


def randomize(model, torch, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("A_re"):
                p.copy_(-torch.rand(p.shape, generator=g) * 0.9 - 0.05)
            elif name.endswith("log_step"):
                p.copy_(torch.rand(p.shape, generator=g) * 4.6 - 4.6)
            elif name.endswith("A_im"):
                p.copy_(torch.randn(p.shape, generator=g) * 5)
            elif "LayerNorm" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * (0.3 if p.dim() > 1 else 0.1))


def tie(model):
    """Ties the MLM decoder to the word embeddings as transformers 4.x did for BiGS (tie_word_embeddings=True).
    transformers 5 ties only what a class lists in _tied_weights_keys, which modeling_bigs.py predates."""
    model.cls.predictions.decoder.weight = model.bigs.embeddings.word_embeddings.weight
    model.cls.predictions.decoder.bias = model.cls.predictions.bias
    assert model.get_output_embeddings().weight is model.bigs.embeddings.word_embeddings.weight


def hf_state(model):
    """State dict as HF saves it: tied decoder weight/bias and buffers left out."""
    sd = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    for k in ("cls.predictions.decoder.weight", "cls.predictions.decoder.bias"):
        sd.pop(k, None)
    return {k: v for k, v in sd.items() if not k.endswith("position_ids") and not k.endswith("token_type_ids")}


def make_fixture(args, conf_mod, mod):
    import torch
    from safetensors.torch import save_file
    torch.manual_seed(args.seed)
    cfg = tiny_config(conf_mod, args.positions)
    model = mod.BiGSForMaskedLM(cfg)
    tie(model)
    randomize(model, torch, args.seed)
    model.eval()
    out = args.out
    os.makedirs(out, exist_ok=True)
    cj = {k: v for k, v in cfg.to_dict().items() if isinstance(v, (int, float, str, bool, type(None), list))}
    cj["architectures"] = ["BiGSForMaskedLM"]
    cj["model_type"] = "BiGS"
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cj, f, indent=2, sort_keys=True)
    save_file(hf_state(model), os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    B, L = 3, 37
    ids = torch.randint(5, cfg.vocab_size, (B, L), generator=torch.Generator().manual_seed(args.seed + 1))
    mask = torch.ones(B, L, dtype=torch.long)
    for b, n in ((1, 29), (2, 12)):  # right padding with pad id 0
        ids[b, n:] = 0
        mask[b, n:] = 0
    save_file({"input_ids": ids, "attention_mask": mask}, os.path.join(out, "inputs.safetensors"))
    with torch.no_grad():
        o = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, return_dict=True)
    exp = {"logits": o.logits.contiguous()}
    for i, h in enumerate(o.hidden_states):
        exp[f"hidden_states.{i}"] = h.contiguous()
    save_file(exp, os.path.join(out, "expected.safetensors"))
    print(json.dumps({"fixture": out, "tensors": len(exp), "logits_absmax": float(o.logits.abs().max())}))


def compare(a_path, b_path, names=None):
    from safetensors.torch import load_file
    a, b = load_file(a_path), load_file(b_path)
    res = {}
    for k in (names or sorted(set(a) & set(b))):
        x, y = a[k].double(), b[k].double()
        res[k] = float((x - y).abs().max() / y.abs().max().clamp_min(1e-30))
    return res


def load_ours(args, conf_mod, mod):
    """Loads a codessm checkpoint into the reference model; returns what did not load and the parity."""
    import torch
    from safetensors.torch import load_file, save_file
    with open(os.path.join(args.ckpt, "config.json")) as f:
        cj = json.load(f)
    keep = {k: v for k, v in cj.items() if not k.startswith("codessm_") and k not in ("architectures", "model_type")}
    cfg = conf_mod.BiGSConfig(**keep)
    model = mod.BiGSForMaskedLM(cfg)
    sd = load_file(os.path.join(args.ckpt, "model.safetensors"))
    missing, unexpected = model.load_state_dict(sd, strict=False)
    tie(model)
    model.eval()
    inputs = load_file(args.inputs)
    with torch.no_grad():
        o = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], output_hidden_states=True,
                  return_dict=True)
    ref = {"logits": o.logits.contiguous()}
    for i, h in enumerate(o.hidden_states):
        ref[f"hidden_states.{i}"] = h.contiguous()
    path = os.path.join(os.path.dirname(args.ours), "reference_on_ours.safetensors")
    save_file(ref, path)
    res = {"missing_in_reference_load": list(missing), "unexpected_in_reference_load": list(unexpected),
           "max_rel_err": compare(args.ours, path)}
    print(json.dumps(res, indent=1))
    return res


def time_forward(model, vocab, args, torch, dev, autocast=None):
    """tokens/s (median step), ms and peak GiB of `model` per shape (batch, length); errors (OOM) are results.
    With args.train: a whole training step (MLM loss on 15 % of positions, backward, AdamW), as `codessm bench
    train` times it; `autocast` (a dtype) runs the forward under torch.autocast. Each timed step ends with a
    device synchronisation, like codessm's benchmarks."""
    import contextlib
    out = {}
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01) if args.train else None
    model.train(bool(args.train))
    for B, L in args.shape_list:
        ids = torch.randint(1, vocab, (B, L), device=dev)
        labels = torch.where(torch.rand(B, L, device=dev) < 0.15, ids, torch.full_like(ids, -100))
        ctx = (lambda: torch.autocast("cuda", dtype=autocast)) if autocast else contextlib.nullcontext

        def step():
            if not args.train:
                with torch.no_grad(), ctx():
                    model(input_ids=ids, return_dict=True)
                return
            with ctx():
                loss = model(input_ids=ids, labels=labels, return_dict=True).loss
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        key = f"B{B}_L{L}"
        try:
            for _ in range(2):
                step()
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            ts = []
            for _ in range(args.iters):
                t = time.time()
                step()
                torch.cuda.synchronize()
                ts.append(time.time() - t)
            ts.sort()
            s = ts[len(ts) // 2] if len(ts) % 2 else 0.5 * (ts[len(ts) // 2 - 1] + ts[len(ts) // 2])
            out[key] = {"batch": B, "L": L, "tokens_per_s": B * L / s, "ms_median": s * 1e3,
                        "peak_gib": torch.cuda.max_memory_allocated() / 2**30}
        except Exception as e:
            out[key] = {"batch": B, "L": L, "error": str(e)[:200]}
            torch.cuda.empty_cache()
        print(json.dumps({key: out[key]}), flush=True)
    return out


def bench(args, conf_mod, mod):
    import torch
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    dev = "cuda"
    res = {}
    cfg = conf_mod.BiGSConfig(vocab_size=32100, hidden_size=1024, num_hidden_layers=12, intermediate_size=3072,
                              num_ssm=64, max_position_embeddings=8192, position_embedding_type="none")
    model = mod.BiGSForMaskedLM(cfg)
    tie(model)
    model = model.to(dev)
    kind = "train" if args.train else "fwd"
    for k, r in time_forward(model, 32100, args, torch, dev).items():
        res[f"bigs_reference_tf32_{kind}_{k}"] = r
    del model
    torch.cuda.empty_cache()
    try:
        from transformers import ModernBertConfig, ModernBertForMaskedLM
        mcfg = ModernBertConfig(vocab_size=50368, max_position_embeddings=8192)
        mcfg._attn_implementation = "sdpa"
        # Inference in pure bf16 weights; training in fp32 weights under bf16 autocast (mixed precision, as the
        # HF Trainer's --bf16 does and as codessm trains).
        m = ModernBertForMaskedLM(mcfg).to(dev, torch.float32 if args.train else torch.bfloat16)
        for k, r in time_forward(m, 50000, args, torch, dev, torch.bfloat16 if args.train else None).items():
            res[f"modernbert_base_bf16_{kind}_{k}"] = r
    except Exception as e:
        res["modernbert"] = {"error": str(e)[:300]}
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bigs-dir", required=True, help="folder holding modeling_bigs.py and configuration_bigs.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("make-fixture"); a.add_argument("--out", required=True); a.add_argument("--seed", type=int, default=0)
    a.add_argument("--positions", default="none", choices=["none", "absolute"])
    c = sub.add_parser("compare"); c.add_argument("ours"); c.add_argument("expected")
    lo = sub.add_parser("load-ours"); lo.add_argument("--ckpt", required=True); lo.add_argument("--inputs", required=True)
    lo.add_argument("--ours", required=True, help="codessm model forward output on --inputs")
    b = sub.add_parser("bench"); b.add_argument("--out", required=True); b.add_argument("--batch", type=int, default=16)
    b.add_argument("--iters", type=int, default=5); b.add_argument("--lengths", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    b.add_argument("--train", action="store_true", help="time training steps (forward, backward, AdamW)")
    b.add_argument("--shapes", nargs="+", default=None, help="BATCHxLENGTH shapes (instead of --batch/--lengths)")
    args = ap.parse_args()
    if args.cmd == "bench":
        args.shape_list = ([tuple(int(v) for v in s.split("x")) for s in args.shapes] if args.shapes
                           else [(args.batch, L) for L in args.lengths])
    if args.cmd == "compare":
        print(json.dumps(compare(args.ours, args.expected), indent=1))
        return
    from bigs_reference import load_bigs_reference
    conf_mod, mod = load_bigs_reference(os.path.abspath(args.bigs_dir))
    {"make-fixture": make_fixture, "load-ours": load_ours, "bench": bench}[args.cmd](args, conf_mod, mod)


if __name__ == "__main__":
    main()
