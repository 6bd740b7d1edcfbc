#!/usr/bin/env python3
"""Writes the seed corpora fuzz/seeds/<target>/ from the test fixtures (and, for tokenizer folders and shards,
files the built codessm writes). Run once after changing a format; the seeds are committed.

Usage: python3 fuzz/make_seeds.py [BUILD_DIR]   (BUILD_DIR/cli/codessm is the built executable; default build/)
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
SEP = b"\n----\n"  # fuzz_util.h split_parts()
MAX = 4096          # seeds stay below run.sh's -max_len


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data[:MAX] if len(data) > MAX else data)


def read(path, limit=MAX):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read(limit)


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw bytes)."""
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def bytes_to_unicode():
    """GPT-2's byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    codessm = os.path.join(build, "cli", "codessm")
    shutil.rmtree(SEEDS, ignore_errors=True)

    # safetensors (+ index)
    f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
    small = safetensors({"w": ("F32", [2, 2], f32), "ids": ("I64", [1, 2], struct.pack("<2q", 3, 4))}, {"format": "pt"})
    put("safetensors", "small", small)
    put("safetensors", "empty_tensor", safetensors({"e": ("BF16", [0, 3], b"")}))
    put("safetensors", "inputs", read("tests/data/parity/bigs_tiny_pos_none/inputs.safetensors"))
    a = safetensors({"w": ("F32", [2, 2], f32)})
    b = safetensors({"v": ("F16", [2], struct.pack("<2e", 1.0, 2.0))})
    index = json.dumps({"metadata": {"total_size": 20}, "weight_map": {"w": "a.safetensors", "v": "b.safetensors"}})
    put("safetensors_index", "two_shards", index.encode() + SEP + a + SEP + b)

    # config.json and train configs
    for d in ("bigs_tiny_pos_none", "bigs_tiny_pos_absolute"):
        put("model_config", d, read(f"tests/data/parity/{d}/config.json"))
    for f in sorted(os.listdir(os.path.join(ROOT, "configs"))):
        if f.endswith(".json"):
            put("train_config", f, read(f"configs/{f}"))

    # benchmark readers: first byte = reader (low nibble) and format/flags (high nibble), fuzz target's table
    tasks = "tests/data/tasks/"
    readers = [
        (0x10, "advtest.jsonl"), (0x00, "advtest.jsonl"), (0xA0, "cosqa.json"), (0xB0, "webquery.json"),
        (0x40, "sqa.jsonl"), (0x02, "devign.jsonl"), (0x22 | 0x80, "diversevul.json"), (0x32, "codecomplex.jsonl"),
        (0x05, "cloze.json"), (0x85, "cloze.json"), (0x04, "manytypes.jsonl"), (0x06, "answers.txt"),
    ]
    for pick, f in readers:
        put("benchmark_readers", f"{pick:02x}_{f}", bytes([pick]) + read(tasks + f, MAX - 1))
    put("benchmark_readers", "01_aligned", bytes([1]) + read(tasks + "pairs.java", 1500) + SEP + read(tasks + "pairs.cs", 1500))
    put("benchmark_readers", "03_bcb", bytes([0x13]) + read(tasks + "bcb_data.jsonl", 2500) + SEP + read(tasks + "bcb_pairs.txt", 1000))

    # DirectProbe inputs: labels, embeddings, tags, config.ini
    labels = "tok1\tA\ntok2\tB\ntok3\tA\ntok4\tB\n"
    emb = "0.0 0.0\n1.0 0.0\n0.0 1.0\n1.0 1.0\n"
    ini = "[common]\nroot = data\n[data]\nlabel_set_path = ${common:root}/tags.txt\nentities_path = e.txt\n" \
          "embeddings_path = x.txt\ntest_entities_path = e.txt\ntest_embeddings_path = x.txt\noutput_path = out\n"
    put("directprobe_inputs", "xor", (labels + "----\n" + emb + "----\nA\nB\n----\n" + ini).replace("\n----\n", SEP.decode()))
    put("directprobe_inputs", "duplicates", ("a\tA\nb\tB\n" + "----\n" + "1 2\n1 2\n----\n----\n").replace("\n----\n", SEP.decode()))

    # byte-level BPE: vocab.json, merges.txt, added_tokens.json, text
    u = bytes_to_unicode()
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for b in range(256):
        vocab[u[b]] = len(vocab)
    merges = [("d", "e"), ("de", "f"), ("Ġ", "x"), ("s", "e"), ("l", "f"), ("se", "lf")]
    for x, y in merges:
        vocab[x + y] = len(vocab)
    vocab["<mask>"] = len(vocab)
    merges_txt = "#version: 0.2\n" + "".join(f"{x} {y}\n" for x, y in merges)
    text = "def f(self, x):\n    return self.x  # é €\n"
    put("bpe_files", "tiny", json.dumps(vocab).encode() + SEP + merges_txt.encode() + SEP + b'{"<extra_id_0>": 300}' + SEP + text.encode())
    tj = {"version": "1.0", "added_tokens": [{"id": 0, "content": "<s>", "special": True}],
          "model": {"type": "BPE", "vocab": vocab, "merges": [[x, y] for x, y in merges]}}
    put("tokenizer_json", "tiny_pairs", json.dumps(tj).encode() + SEP + text.encode())
    tj["model"]["merges"] = [f"{x} {y}" for x, y in merges]
    put("tokenizer_json", "tiny_strings", json.dumps(tj).encode() + SEP + text.encode())

    # SentencePiece: the committed tiny model (tests/data/tokenizers/spm_tiny) and texts
    spm_dir = os.path.join(ROOT, "tests", "data", "tokenizers", "spm_tiny")
    spm = open(os.path.join(spm_dir, "spm.model"), "rb").read()
    put("sentencepiece_model", "tiny", spm + SEP + text.encode())
    for i, t in enumerate([text, "x = '\xff'", "\t\tif a:\n\t\t\tpass\n", "<mask> <extra_id_0>"]):
        put("sentencepiece_text", f"t{i}", t.encode("utf-8", "surrogateescape") if isinstance(t, str) else t)
    put("sentencepiece_text", "invalid", b"a\xc3(b\xed\xa0\x80\x00\xf4\x90\x80\x80")

    # codessm tokenizer folders: codessm_tokenizer.json, vocab.json, merges.txt, spm.model, text
    cfg = open(os.path.join(spm_dir, "codessm_tokenizer.json"), "rb").read()
    put("tokenizer_folder", "sentencepiece", cfg + SEP + SEP + SEP + spm + SEP + text.encode())
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("vocab.json", json.dumps(vocab)), ("merges.txt", merges_txt)):
            open(os.path.join(tmp, name), "w").write(data)
        if os.path.exists(codessm):
            subprocess.run([codessm, "tokenizer", "convert", "--from", tmp, "--out", os.path.join(tmp, "conv")],
                           check=True, capture_output=True)
            conv = os.path.join(tmp, "conv")
            parts = [open(os.path.join(conv, f), "rb").read() for f in ("codessm_tokenizer.json", "vocab.json", "merges.txt")]
            put("tokenizer_folder", "byte_bpe", SEP.join(parts) + SEP + SEP + text.encode())
            # a token shard of a few documents, with its manifest
            docs = os.path.join(tmp, "docs.jsonl")
            with open(docs, "w") as f:
                for i in range(4):
                    f.write(json.dumps({"code": f"def f{i}(x):\n    return x + {i}\n"}) + "\n")
            subprocess.run([codessm, "tokenizer", "shard", "--tokenizer", spm_dir, "--input", docs, "--out",
                            os.path.join(tmp, "shards")], check=True, capture_output=True)
            sd = os.path.join(tmp, "shards")
            shard = [f for f in sorted(os.listdir(sd)) if f.endswith(".bin")][0]
            put("shard", "four_docs", open(os.path.join(sd, shard), "rb").read() + SEP + open(os.path.join(sd, "manifest.json"), "rb").read())
            put("shard", "no_manifest", open(os.path.join(sd, shard), "rb").read())
        else:
            print(f"note: {codessm} not built: no byte_bpe tokenizer-folder and shard seeds", file=sys.stderr)

    # tree-sitter: a few real sources per language
    snippets = {
        "python": ["def f(a, b=1, *c, **d):\n    '''doc'''\n    x = a + b\n    for i in c:\n        x += i\n    return x\n",
                   "class A(B):\n    @property\n    def g(self):\n        with open(p) as f:\n            return [y for y in f if y]\n"],
        "java": ["class A { int f(int x) { int y = x + 1; for (int i = 0; i < y; i++) { y += i; } return y; } }\n"],
        "javascript": ["function f(a, b) { let x = a + b; for (const i of a) { x += i; } return () => x; }\n"],
        "typescript": ["function f(a: number, b: string[]): number { let x: number = a; return x + b.length; }\n"],
        "tsx": ["const C = (p: {n: number}) => <div className=\"a\">{p.n}</div>;\n"],
        "go": ["package main\nfunc f(a int) (int, error) {\n\tx := a + 1\n\tfor i := 0; i < x; i++ { x += i }\n\treturn x, nil\n}\n"],
        "ruby": ["def f(a, b = 1)\n  x = a + b\n  [1, 2].each { |i| x += i }\n  x\nend\n"],
        "php": ["<?php\nfunction f($a, $b = 1) {\n  $x = $a + $b;\n  foreach ($a as $i) { $x += $i; }\n  return $x;\n}\n"],
    }
    langs = ["python", "java", "javascript", "typescript", "tsx", "go", "ruby", "php"]  # parse::all_languages()
    for lang, srcs in snippets.items():
        for i, s in enumerate(srcs):
            put("parse", f"{lang}_{i}", bytes([langs.index(lang)]) + s.encode())
    if os.path.exists("/usr/lib/python3.11/json/decoder.py"):
        put("parse", "python_stdlib_json_decoder", bytes([0]) + read("/usr/lib/python3.11/json/decoder.py", MAX - 1))
    print("seeds written to", SEEDS)


if __name__ == "__main__":
    main()
