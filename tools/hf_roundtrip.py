"""Hugging Face round trip for the Transformer baselines (RoCoder = RoFormer, BertCoder = BERT), both ways.

theirs -> ours (the fixture, replayed by tests/model/hf_roundtrip_test.cpp on the CPU):
    tiny random RoFormerForMaskedLM and BertForMaskedLM with our config.json conventions (tied decoder, gelu,
    post-LN, RoPE on q/k only, absolute positions for BERT), every parameter perturbed so that no bias is zero and
    no LayerNorm gain is one, saved by transformers' own save_pretrained (safetensors), with an input batch
    (right padding, token types) and their fp32 CPU logits.
ours -> theirs (recorded beside the fixture in roundtrip.json):
    checkpoints written by `codessm model init` (rocoder-tiny, bertcoder-tiny) loaded with from_pretrained, run on
    the same inputs, and compared with `codessm model forward`'s logits.

Everything runs on the CPU in fp32 (no TF32), so the numbers do not depend on the GPU.

Usage:
  python3 tools/hf_roundtrip.py inputs --out .device/hf/inputs.safetensors   # stdlib only (no torch needed)
  python3 tools/hf_roundtrip.py run --ours .device/hf --out OUT_DIR           # needs torch, transformers, safetensors

`--ours` holds {rocoder,bertcoder}/ (checkpoint folders), {rocoder,bertcoder}.logits.safetensors (our forward
output) and inputs.safetensors; tools/hf_roundtrip_prepare.sh makes it with the codessm binary. OUT_DIR receives
roformer/ and bert/ (config.json, model.safetensors, logits.safetensors), inputs.safetensors and roundtrip.json;
copy them into tests/fixtures/hf/.
"""
import argparse
import json
import os
import random
import struct
import sys

B, L = 2, 16          # batch and length of the input batch
PAD_FROM = 11         # row 1 is right-padded from this position
VOCAB_CAP = 500       # ids are drawn below this, so one input file fits the fixture (V 512) and the presets (V 1000)

# Tiny shapes for the committed fixture (a few hundred KiB); the keys and values follow what codessm writes for
# RoCoder / BertCoder (ModelConfig::to_json), minus the codessm_* extras a transformers user would not have.
COMMON = dict(vocab_size=512, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
              hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
              max_position_embeddings=64, type_vocab_size=2, initializer_range=0.02, layer_norm_eps=1e-12,
              pad_token_id=0, tie_word_embeddings=True)
MODELS = {  # fixture folder -> (transformers class name, extra config keys, our checkpoint folder in --ours)
    "roformer": ("RoFormer", dict(embedding_size=32, rotary_value=False), "rocoder"),
    "bert": ("Bert", dict(position_embedding_type="absolute"), "bertcoder"),
}


def write_inputs(path, seed=1234):
    """input_ids / attention_mask / token_type_ids (int64 [B, L]) as safetensors, with the stdlib only."""
    rng = random.Random(seed)
    ids = [[rng.randrange(5, VOCAB_CAP) for _ in range(L)] for _ in range(B)]
    mask = [[1] * L for _ in range(B)]
    types = [[0] * L for _ in range(B)]
    for j in range(PAD_FROM, L):  # right padding with pad id 0 in row 1
        ids[1][j], mask[1][j] = 0, 0
    for j in range(L // 2, L):    # a second segment in row 0
        types[0][j] = 1
    tensors = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, rows in tensors.items():
        blob = struct.pack("<%dq" % (B * L), *[v for r in rows for v in r])
        header[name] = {"dtype": "I64", "shape": [B, L], "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(tmp, path)


def rel_err(a, b):
    """max |a - b| / max |b| in float64 (the measure the C++ tests use)."""
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def perturb(model, torch, seed):
    """Moves every trainable parameter off its init (biases 0, LayerNorm 1) so that a swapped or dropped tensor
    shows in the logits. RoFormer's sinusoid table is left alone: it is a function of the shapes."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():  # tied tensors come once
            if "embed_positions" in name:
                continue
            if "LayerNorm" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def forward(model, torch, inputs):
    with torch.no_grad():
        o = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                  token_type_ids=inputs["token_type_ids"], output_hidden_states=True)
    return o.logits.contiguous(), o.hidden_states[-1].contiguous()


def from_pretrained(cls, path, torch):
    try:  # transformers 5: dtype=; 4.x: torch_dtype=
        return cls.from_pretrained(path, dtype=torch.float32, output_loading_info=True)
    except TypeError:
        return cls.from_pretrained(path, torch_dtype=torch.float32, output_loading_info=True)


def theirs(name, out, inputs, torch, transformers, safetensors_torch, seed):
    prefix, extra, _ = MODELS[name]
    cfg = getattr(transformers, prefix + "Config")(**COMMON, **extra)
    cls = getattr(transformers, prefix + "ForMaskedLM")
    torch.manual_seed(seed)
    model = cls(cfg)
    emb = model.get_input_embeddings().weight
    tied_by = "transformers"
    if model.get_output_embeddings().weight.data_ptr() != emb.data_ptr():
        # tie_word_embeddings=True means a shared decoder; tie by hand if this transformers did not (as 4.x/5.x do
        # for the classes that list _tied_weights_keys), so the fixture is what our convention describes.
        model.cls.predictions.decoder.weight = emb
        model.cls.predictions.decoder.bias = model.cls.predictions.bias
        tied_by = "script"
    perturb(model, torch, seed)
    model.eval()
    tied = model.get_output_embeddings().weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    logits, last = forward(model, torch, inputs)
    d = os.path.join(out, name)
    model.save_pretrained(d)
    safetensors_torch.save_file({"logits": logits, "last_hidden_state": last}, os.path.join(d, "logits.safetensors"),
                                metadata={"format": "pt"})
    # The saved folder, read back by transformers: the fixture is what its loader sees, not just what we built.
    again, info = from_pretrained(cls, d, torch)
    again.eval()
    names = sorted(safetensors_torch.load_file(os.path.join(d, "model.safetensors")).keys())
    return {"class": cls.__name__, "folder": name, "decoder_tied": tied, "tied_by": tied_by, "saved_tensors": names,
            "reload_missing_keys": sorted(info.get("missing_keys", [])),
            "reload_unexpected_keys": sorted(info.get("unexpected_keys", [])),
            "reload_rel_err": rel_err(forward(again, torch, inputs)[0], logits),
            "logits_absmax": float(logits.abs().max())}


def ours(name, ours_dir, inputs, torch, transformers, safetensors_torch):
    prefix, _, folder = MODELS[name]
    ckpt = os.path.join(ours_dir, folder)
    ref_path = os.path.join(ours_dir, folder + ".logits.safetensors")
    for p in (os.path.join(ckpt, "config.json"), ref_path):
        if not os.path.exists(p):
            raise SystemExit(f"hf_roundtrip: '{p}' is missing; run tools/hf_roundtrip_prepare.sh first "
                             f"(it writes our checkpoints and logits into {ours_dir})")
    with open(os.path.join(ckpt, "config.json")) as f:
        preset = json.load(f).get("codessm_preset", "")
    cls = getattr(transformers, prefix + "ForMaskedLM")
    model, info = from_pretrained(cls, ckpt, torch)
    model.eval()
    mine = safetensors_torch.load_file(ref_path)["logits"]
    theirs_logits, _ = forward(model, torch, inputs)
    valid = inputs["attention_mask"].bool()
    return {"class": cls.__name__, "checkpoint": folder, "codessm_preset": preset,
            "missing_keys": sorted(info.get("missing_keys", [])),
            "unexpected_keys": sorted(info.get("unexpected_keys", [])),
            "rel_err": rel_err(theirs_logits, mine),
            "rel_err_unpadded": rel_err(theirs_logits[valid], mine[valid]),
            "logits_absmax": float(mine.abs().max())}


def run(args):
    import torch
    import transformers
    import safetensors
    import safetensors.torch as safetensors_torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_num_threads(min(8, os.cpu_count() or 1))
    os.makedirs(args.out, exist_ok=True)
    in_path = os.path.join(args.out, "inputs.safetensors")
    write_inputs(in_path)
    inputs = safetensors_torch.load_file(in_path)
    res = {"generated_by": "tools/hf_roundtrip.py run", "device": "cpu", "dtype": "float32",
           "versions": {"python": sys.version.split()[0], "torch": torch.__version__,
                        "transformers": transformers.__version__, "safetensors": safetensors.__version__},
           "measure": "max|a-b| / max|b| over the logits [B, L, V], float64",
           "theirs_to_ours_fixture": {}, "ours_to_theirs": {}}
    for name in MODELS:
        res["theirs_to_ours_fixture"][name] = theirs(name, args.out, inputs, torch, transformers, safetensors_torch,
                                                     args.seed)
    if args.ours:
        ours_inputs = safetensors_torch.load_file(os.path.join(args.ours, "inputs.safetensors"))
        for k in inputs:  # our logits were computed on the file the stdlib writer made there
            if not torch.equal(inputs[k], ours_inputs[k]):
                raise SystemExit(f"hf_roundtrip: {args.ours}/inputs.safetensors differs from this script's inputs "
                                 f"('{k}'); re-run tools/hf_roundtrip_prepare.sh")
        for name in MODELS:
            res["ours_to_theirs"][name] = ours(name, args.ours, inputs, torch, transformers, safetensors_torch)
    worst = max([r["reload_rel_err"] for r in res["theirs_to_ours_fixture"].values()] +
                [r["rel_err"] for r in res["ours_to_theirs"].values()])
    res["ok"] = bool(worst <= 1e-5)
    tmp = os.path.join(args.out, "roundtrip.json.tmp")
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(args.out, "roundtrip.json"))
    print(json.dumps({k: v for k, v in res.items() if k != "theirs_to_ours_fixture"}, indent=1))
    for name, r in res["theirs_to_ours_fixture"].items():
        print(f"{name}: saved by transformers, reload rel err {r['reload_rel_err']:.3g}, tied {r['decoder_tied']}")
    return 0 if res["ok"] else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("inputs", help="write the input batch (stdlib only)")
    a.add_argument("--out", required=True)
    r = sub.add_parser("run", help="make the fixture and check our checkpoints in transformers")
    r.add_argument("--out", required=True, help="fixture folder to write")
    r.add_argument("--ours", help="folder with our checkpoints and logits (tools/hf_roundtrip_prepare.sh)")
    r.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.cmd == "inputs":
        write_inputs(args.out)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
