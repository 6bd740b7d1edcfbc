// Readers and writers for the original DirectProbe's files (dp_format.h).
#include "codessm/probe/dp_format.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/probe/hull_distance.h"
#include "thread_pool.h"

namespace codessm::probe {

namespace {

/// Python's str.strip(): ASCII whitespace at both ends.
std::string_view strip(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

/// Calls fn(line, line_number) for every line (a final line without '\n' counts).
template <class Fn>
void for_each_line(const std::string& text, Fn&& fn) {
  size_t pos = 0;
  int64_t line_no = 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    fn(std::string_view(text).substr(pos, end - pos), line_no++);
    pos = end + 1;
  }
}

Embeddings read_embeddings_txt(const fs::path& path) {
  const std::string text = core::read_file(path);
  Embeddings x;
  for_each_line(text, [&](std::string_view raw, int64_t line) {
    const std::string_view s = strip(raw);
    if (s.empty()) {
      throw DataError(fmt::format("{}:{}: empty line; every line must hold one vector (whitespace-separated "
                                  "numbers). Remove blank lines",
                                  path.string(), line));
    }
    int count = 0;
    const char* p = s.data();
    const char* end = s.data() + s.size();
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
      if (p >= end) break;
      double v = 0.0;
      const char* q = p;
      if (*q == '+') ++q;  // from_chars rejects a leading '+', Python's float() accepts it
      const auto r = std::from_chars(q, end, v);
      CODESSM_REQUIRE(r.ec == std::errc() && (r.ptr == end || *r.ptr == ' ' || *r.ptr == '\t' || *r.ptr == '\r'),
                      DataError, "{}:{}: value {} is not a number ('{}'); embeddings are whitespace-separated floats",
                      path.string(), line, count + 1, std::string(p, std::min<size_t>(20, end - p)));
      x.values.push_back(v);
      ++count;
      p = r.ptr;
    }
    if (x.n == 0) x.d = count;
    CODESSM_REQUIRE(count == x.d, DataError,
                    "{}:{}: {} values, but line 1 has {}; every vector needs the same dimension", path.string(),
                    line, count, x.d);
    ++x.n;
  });
  CODESSM_REQUIRE(x.n > 0, DataError, "{}: no vectors; expected one vector per line", path.string());
  return x;
}

Embeddings read_npy(const fs::path& path) {
  const std::string data = core::read_file(path);
  CODESSM_REQUIRE(data.size() >= 10 && data.compare(0, 6, "\x93NUMPY") == 0, DataError,
                  "{}: not a .npy file (magic missing); save with numpy.save", path.string());
  const int major = static_cast<unsigned char>(data[6]);
  size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(data[8]) | (static_cast<unsigned char>(data[9]) << 8);
    hstart = 10;
  } else {
    CODESSM_REQUIRE(data.size() >= 12, DataError, "{}: truncated .npy header", path.string());
    hlen = 0;
    for (int i = 0; i < 4; ++i) hlen |= static_cast<size_t>(static_cast<unsigned char>(data[8 + i])) << (8 * i);
    hstart = 12;
  }
  CODESSM_REQUIRE(data.size() >= hstart + hlen, DataError, "{}: truncated .npy header", path.string());
  const std::string header = data.substr(hstart, hlen);
  std::smatch m;
  CODESSM_REQUIRE(std::regex_search(header, m, std::regex("'descr':\\s*'([<|>]?)([fi])(\\d)'")), DataError,
                  "{}: .npy dtype missing in header '{}'", path.string(), header);
  const std::string kind = m[2], width = m[3];
  CODESSM_REQUIRE(kind == "f" && (width == "4" || width == "8") && m[1] != ">", DataError,
                  "{}: .npy dtype '{}{}{}' is not supported; use little-endian float32 or float64", path.string(),
                  std::string(m[1]), kind, width);
  CODESSM_REQUIRE(header.find("'fortran_order': False") != std::string::npos, DataError,
                  "{}: .npy is Fortran-ordered; save a C-ordered array (np.ascontiguousarray)", path.string());
  CODESSM_REQUIRE(std::regex_search(header, m, std::regex("'shape':\\s*\\((\\d+),\\s*(\\d+)\\)")), DataError,
                  "{}: .npy array must be 2-D (points × dimension); header '{}'", path.string(), header);
  Embeddings x;
  x.n = std::stoll(m[1]);
  x.d = std::stoi(m[2]);
  const size_t elem = width == "4" ? 4 : 8;
  const size_t count = static_cast<size_t>(x.n) * x.d;
  CODESSM_REQUIRE(data.size() - hstart - hlen == count * elem, DataError,
                  "{}: .npy holds {} bytes of data, shape ({}, {}) needs {}", path.string(), data.size() - hstart - hlen,
                  x.n, x.d, count * elem);
  x.values.resize(count);
  const char* p = data.data() + hstart + hlen;
  for (size_t i = 0; i < count; ++i) {
    if (elem == 4) {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      x.values[i] = f;
    } else {
      std::memcpy(&x.values[i], p + 8 * i, 8);
    }
  }
  return x;
}

/// "{:.4f}" as Python formats it (both round the binary value correctly).
std::string f4(double v) { return fmt::format("{:.4f}", v); }

}  // namespace

LabelSet read_label_set(const fs::path& path) {
  std::set<std::string> names;  // std::string's < is byte-wise, as Python's sort for str
  for_each_line(core::read_file(path), [&](std::string_view raw, int64_t) {
    const std::string_view s = strip(raw);
    if (!s.empty()) names.insert(std::string(s));
  });
  CODESSM_REQUIRE(!names.empty(), DataError, "{}: no labels; expected one label per line", path.string());
  return LabelSet{std::vector<std::string>(names.begin(), names.end())};
}

std::vector<std::string> read_labels(const fs::path& path, bool require_entity_format) {
  std::vector<std::string> out;
  for_each_line(core::read_file(path), [&](std::string_view raw, int64_t line) {
    const std::string_view s = strip(raw);
    CODESSM_REQUIRE(!s.empty(), DataError, "{}:{}: empty line; every line needs a label", path.string(), line);
    const size_t tab = s.rfind('\t');
    if (require_entity_format) {
      CODESSM_REQUIRE(tab != std::string_view::npos && s.find('\t') == tab, DataError,
                      "{}:{}: expected 'entity<TAB>label' (exactly two tab-separated fields), as DirectProbe's "
                      "entities files have",
                      path.string(), line);
    }
    out.emplace_back(tab == std::string_view::npos ? s : s.substr(tab + 1));
  });
  CODESSM_REQUIRE(!out.empty(), DataError, "{}: no labels", path.string());
  return out;
}

Embeddings read_embeddings(const fs::path& path) {
  core::require_exists(path, "embeddings file", "pass the vectors as text (one per line) or .npy");
  if (path.extension() == ".npy") return read_npy(path);
  return read_embeddings_txt(path);
}

std::vector<int> label_indices(const std::vector<std::string>& names, const LabelSet& labels, const fs::path& path) {
  std::map<std::string, int> index;
  for (int i = 0; i < labels.size(); ++i) index[labels.names[i]] = i;
  std::vector<int> out;
  out.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto it = index.find(names[i]);
    CODESSM_REQUIRE(it != index.end(), DataError, "{}:{}: label '{}' is not in the label set ({} labels); add it to "
                    "the tags file or fix the label",
                    path.string(), i + 1, names[i], labels.size());
    out.push_back(it->second);
  }
  return out;
}

void write_clusters_txt(const fs::path& path, const std::vector<int>& assignment) {
  std::string s;
  for (int c : assignment) {
    s += std::to_string(c);
    s += '\n';
  }
  core::write_file_atomic(path, s);
}

std::vector<Cluster> read_clusters_txt(const fs::path& path, const std::vector<int>& train_labels) {
  std::vector<int> number;
  for_each_line(core::read_file(path), [&](std::string_view raw, int64_t line) {
    const std::string_view s = strip(raw);
    int v = -1;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    CODESSM_REQUIRE(r.ec == std::errc() && r.ptr == s.data() + s.size() && v >= 0, DataError,
                    "{}:{}: '{}' is not a cluster number (a non-negative integer per line)", path.string(), line,
                    std::string(s));
    number.push_back(v);
  });
  CODESSM_REQUIRE(number.size() == train_labels.size(), DataError,
                  "{}: {} lines, but the training set has {} rows; use the clusters of this training set",
                  path.string(), number.size(), train_labels.size());
  const int k = *std::max_element(number.begin(), number.end()) + 1;
  std::vector<Cluster> out(k);
  for (int c = 0; c < k; ++c) out[c].id = c;
  for (size_t i = 0; i < number.size(); ++i) {
    Cluster& c = out[number[i]];
    if (c.members.empty()) c.label = train_labels[i];
    CODESSM_REQUIRE(c.label == train_labels[i], DataError,
                    "{}: cluster {} mixes labels (row {}); DirectProbe clusters are label-pure", path.string(),
                    number[i], i + 1);
    c.members.push_back(static_cast<int>(i));
  }
  for (int c = 0; c < k; ++c)
    CODESSM_REQUIRE(!out[c].members.empty(), DataError, "{}: cluster number {} has no rows; numbers must be 0..K−1",
                    path.string(), c);
  return out;
}

void write_prediction_txt(const fs::path& path, const std::vector<Prediction>& preds,
                          const std::vector<Cluster>& clusters, const LabelSet& labels) {
  std::string s;
  for (const Prediction& p : preds) {
    s += labels.names[p.gold];
    for (const ClusterDistance& cd : p.ranking)
      s += fmt::format("\t{}-{},{}", cd.cluster, labels.names[clusters[cd.cluster].label], f4(cd.distance));
    s += '\n';
  }
  core::write_file_atomic(path, s);
}

std::vector<ClusterPairDistance> cluster_distances(const Embeddings& train_x, const std::vector<Cluster>& clusters,
                                                   int threads) {
  std::vector<ClusterPairDistance> out;
  for (size_t i = 0; i < clusters.size(); ++i)
    for (size_t j = i + 1; j < clusters.size(); ++j)
      if (clusters[i].label != clusters[j].label) out.push_back({static_cast<int>(i), static_cast<int>(j), 0.0});
  detail::ThreadPool pool(threads);
  pool.parallel_for(static_cast<int64_t>(out.size()), [&](int64_t q, int) {
    out[q].distance = hull_hull_distance(train_x, clusters[out[q].i].members, clusters[out[q].j].members).distance;
  });
  return out;
}

void write_dis_txt(const fs::path& path, const std::vector<ClusterPairDistance>& dis,
                   const std::vector<Cluster>& clusters, const LabelSet& labels) {
  std::string s;
  for (const auto& e : dis)
    s += fmt::format("({}-{}, {}-{}): {}\n", e.i, labels.names[clusters[e.i].label], e.j,
                     labels.names[clusters[e.j].label], f4(e.distance));
  core::write_file_atomic(path, s);
}

DpConfigPaths read_dp_config(const fs::path& ini, const fs::path& base_dir) {
  // A minimal configparser: [section], key = value, '#'/';' comments, ${key} / ${section:key}.
  std::map<std::string, std::map<std::string, std::string>> raw;
  std::string section;
  for_each_line(core::read_file(ini), [&](std::string_view line_raw, int64_t line) {
    const std::string_view s = strip(line_raw);
    if (s.empty() || s[0] == '#' || s[0] == ';') return;
    if (s.front() == '[') {
      CODESSM_REQUIRE(s.back() == ']', DataError, "{}:{}: malformed section header", ini.string(), line);
      section = std::string(s.substr(1, s.size() - 2));
      return;
    }
    const size_t eq = s.find_first_of("=:");
    CODESSM_REQUIRE(eq != std::string_view::npos, DataError, "{}:{}: expected 'key = value'", ini.string(), line);
    std::string key(strip(s.substr(0, eq)));
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    raw[section][key] = std::string(strip(s.substr(eq + 1)));
  });
  std::function<std::string(const std::string&, const std::string&, int)> get =
      [&](const std::string& sec, const std::string& key, int depth) -> std::string {
    CODESSM_REQUIRE(depth < 10, DataError, "{}: interpolation of '{}' is too deep (a cycle?)", ini.string(), key);
    const auto sit = raw.find(sec);
    CODESSM_REQUIRE(sit != raw.end() && sit->second.count(key), DataError,
                    "{}: [{}] has no key '{}'; the original's config.ini defines it", ini.string(), sec, key);
    std::string v = sit->second.at(key), out;
    for (size_t p = 0; p < v.size();) {
      if (v.compare(p, 2, "${") == 0) {
        const size_t e = v.find('}', p);
        CODESSM_REQUIRE(e != std::string::npos, DataError, "{}: unterminated '${{' in [{}] {}", ini.string(), sec, key);
        const std::string ref = v.substr(p + 2, e - p - 2);
        const size_t colon = ref.find(':');
        out += colon == std::string::npos ? get(sec, ref, depth + 1)
                                          : get(ref.substr(0, colon), ref.substr(colon + 1), depth + 1);
        p = e + 1;
      } else {
        out += v[p++];
      }
    }
    return out;
  };
  auto path_of = [&](const std::string& sec, const std::string& key) {
    fs::path p = get(sec, key, 0);
    return p.is_absolute() ? p : base_dir / p;
  };
  DpConfigPaths c;
  c.label_set = path_of("data", "label_set_path");
  c.entities = path_of("data", "entities_path");
  c.embeddings = path_of("data", "embeddings_path");
  c.test_entities = path_of("data", "test_entities_path");
  c.test_embeddings = path_of("data", "test_embeddings_path");
  if (raw.count("run") && raw["run"].count("output_path")) c.output = path_of("run", "output_path");
  return c;
}

DpConfigPaths dp_layout(const fs::path& dir, const std::string& layer) {
  DpConfigPaths c;
  c.label_set = dir / "labels" / "tags.txt";
  c.entities = dir / "entities" / "train.txt";
  c.test_entities = dir / "entities" / "test.txt";
  c.embeddings = dir / "embeddings" / "layers" / "train" / (layer + ".txt");
  c.test_embeddings = dir / "embeddings" / "layers" / "test" / (layer + ".txt");
  return c;
}

}  // namespace codessm::probe
