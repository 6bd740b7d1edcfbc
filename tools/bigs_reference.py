"""Loads the BiGS PyTorch reference (jxiw/BiGS, BiGS/modeling_bigs.py) from a folder given at run time.

The reference code is NOT part of this repository: fetch it for the run (e.g. into .device/bigs/, which git
ignores) and pass the folder. It was written for transformers 4.x; the shims below only replace
documentation decorators and a removed import so that it imports under transformers 5.x. No model
computation is changed.
"""
import importlib.util
import sys
import types


def load_bigs_reference(folder):
    import torch
    import transformers
    import transformers.utils as tu
    import transformers.modeling_utils as mu

    identity = lambda *a, **k: (lambda f: f)
    for name in ("add_code_sample_docstrings", "add_start_docstrings", "add_start_docstrings_to_model_forward"):
        setattr(tu, name, identity)
    if not hasattr(mu, "SequenceSummary"):  # removed in transformers 5; BiGS imports but does not use it
        mu.SequenceSummary = torch.nn.Module
    if not hasattr(transformers, "PretrainedConfig") and hasattr(transformers, "PreTrainedConfig"):
        transformers.PretrainedConfig = transformers.PreTrainedConfig

    pkg = types.ModuleType("bigsref")
    pkg.__path__ = [folder]
    sys.modules["bigsref"] = pkg
    mods = {}
    for name in ("configuration_bigs", "modeling_bigs"):
        spec = importlib.util.spec_from_file_location(f"bigsref.{name}", f"{folder}/{name}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[f"bigsref.{name}"] = mod
        spec.loader.exec_module(mod)
        mods[name] = mod
    return mods["configuration_bigs"], mods["modeling_bigs"]
