// Comparing optimizer.pt files of two processes (tests/cli: the kill/resume harness and the train CLI's resume
// test): the archives differ byte-wise between processes, so they are compared tensor by tensor.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

namespace codessm::test {

/// A LibTorch archive flattened to path -> tensor and path -> printed value. LibTorch keys an optimizer's state by
/// the address of each parameter's TensorImpl (param_groups/.../params/<i> holds it as a string), which differs
/// from process to process: those addresses are replaced by the parameter's position, "param<g>.<i>".
struct FlatArchive {
  std::map<std::string, torch::Tensor> tensors;
  std::map<std::string, std::string> values;
};

inline void flatten(torch::serialize::InputArchive& a, const std::string& prefix, FlatArchive& out) {
  for (const auto& k : a.keys()) {
    c10::IValue v;
    if (!a.try_read(k, v)) continue;
    if (v.isTensor()) {
      out.tensors[prefix + k] = v.toTensor();
    } else if (v.isObject()) {
      torch::serialize::InputArchive sub;
      if (a.try_read(k, sub)) flatten(sub, prefix + k + "/", out);
    } else {
      std::ostringstream os;
      os << v;
      out.values[prefix + k] = os.str();
    }
  }
}

inline FlatArchive read_optimizer_archive(const std::filesystem::path& file) {
  torch::serialize::InputArchive a;
  a.load_from(file.string());
  FlatArchive raw, out;
  flatten(a, "", raw);
  std::map<std::string, std::string> names;  // TensorImpl address -> param<g>.<i>
  int group = -1;
  std::string last_group;
  for (const auto& [path, value] : raw.values) {
    const auto p = path.rfind("/params/");
    if (p == std::string::npos) continue;
    if (path.substr(0, p) != last_group) ++group, last_group = path.substr(0, p);
    names[value] = "param" + std::to_string(group) + "." + path.substr(p + 8);
  }
  auto rename = [&](std::string s) {
    for (const auto& [addr, name] : names)
      for (auto at = s.find(addr); at != std::string::npos; at = s.find(addr)) s.replace(at, addr.size(), name);
    return s;
  };
  for (auto& [path, t] : raw.tensors) out.tensors[rename(path)] = t;
  for (auto& [path, v] : raw.values) out.values[rename(path)] = rename(v);
  return out;
}

}  // namespace codessm::test
