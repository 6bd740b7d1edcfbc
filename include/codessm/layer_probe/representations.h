// Layer-wise representations of a probing dataset (directprobe-spec §3.2): run a checkpoint over each
// function with its tokenizer, take every layer's output (layer 0 = embeddings), mean-pool the
// subwords that overlap each code token into one leaf vector, and form one pair vector per dataset
// pair — the difference h_row − h_col for the distance task, the concatenation [h_row ; h_col]
// otherwise. Pair vectors are streamed to disk, one raw float32 file per layer and split, so only
// one function's hidden states are in memory at a time.
// Shapes: L sequence length (model tokens), D model width, S code tokens of a function, P pairs.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/probe/embeddings.h"
#include "codessm/layer_probe/dataset.h"

namespace codessm::layer_probe {

/// Version of the vectors folder's manifest.json.
inline constexpr int kVectorsFormatVersion = 1;

/// Leaf vectors of one function: r(S D), row s = mean of the rows of `hidden` r(L D) whose model
/// tokens overlap code token s (byte spans of both sides refer to `fn.code`). `offset` = positions
/// before the first text token in the model input (1 after a <s>). `valid` (optional) is false for
/// a code token that no model token overlaps (its row is zero).
torch::Tensor leaf_vectors(const torch::Tensor& hidden, const std::vector<data::Token>& model_tokens,
                           const ProbeFunction& fn, int64_t offset, std::vector<bool>* valid = nullptr);

/// Pair vectors r(P D) (difference) or r(P 2D) (concatenation) from leaf vectors r(S D).
torch::Tensor pair_vectors(const torch::Tensor& leaves, const std::vector<ProbePair>& pairs, ProbeTask task);

/// Options of compute_representations().
struct RepresentationOptions {
  /// Longest model input (specials included); 0 = the checkpoint's max_position_embeddings. A longer
  /// function throws DataError (rebuild the dataset with a smaller --max-function-bytes).
  int64_t max_tokens = 0;
  bool progress = true;
};

/// Where one checkpoint's pair vectors of one dataset are: `<dir>/layer-XX.{train,test}.f32`
/// (row-major float32, rows grouped by function, see load_layer()) and `<dir>/manifest.json`.
struct VectorSet {
  fs::path dir;
  int num_layers = 0;   ///< hidden-state entries: embeddings + every block
  int64_t dim = 0;      ///< pair-vector width (D or 2D)
  int64_t n_train = 0, n_test = 0;
};

/// Encodes every function of `ds` with `model` and writes the pair vectors of every layer to `dir`.
/// Throws UsageError when the tokenizer's ids do not fit the model's vocabulary.
VectorSet compute_representations(model::CodeModel& model, const data::Tokenizer& tok, const ProbeDataset& ds,
                                  const fs::path& dir, const RepresentationOptions& opt = {});

/// The pair vectors of `layer` as DirectProbe points (float64), in the dataset's train or test
/// order, with the dataset's labels.
probe::LabeledPoints load_layer(const VectorSet& vs, const ProbeDataset& ds, int layer, bool test);

/// Reads `<dir>/manifest.json`.
VectorSet read_vector_set(const fs::path& dir);

}  // namespace codessm::layer_probe
