// The model's parameter layout in one place: the state-dict name components that registration
// (bigs_layer.cpp, s4d_layer.cpp), parameter counts (model_summary.cpp) and the kernel finder of interpret
// (checkpoint_kernels.cpp) all use. They are the names of modeling_bigs.py / HF, so checkpoints load by name
// (bigs.encoder.layer.{i}.fs4.kernel.log_step); changing one breaks every saved checkpoint.
#pragma once

namespace codessm::model::param_names {

// ---- backbone (after the "bigs." / "roformer." / "bert." prefix, ModelConfig::base_prefix) ----
inline constexpr const char* kEmbeddings = "embeddings";
inline constexpr const char* kEncoderLayers = "encoder.layer";  ///< + ".{i}"
inline constexpr const char* kPooler = "pooler";

// ---- BiGS layer: the sequence mixers ----
inline constexpr const char* kForwardSsm = "fs4";     ///< S4dLayer on the sequence
inline constexpr const char* kBackwardSsm = "bs4";    ///< S4dLayer on the reversed sequence
inline constexpr const char* kForwardConv = "fconv";  ///< CodeSSM-HF grouped Conv1d beside fs4
inline constexpr const char* kBackwardConv = "bconv"; ///< CodeSSM-HF grouped Conv1d beside bs4

// ---- S4dLayer / S4DKernel ----
inline constexpr const char* kSkip = "D";             ///< S4dLayer's skip term
inline constexpr const char* kKernel = "kernel";      ///< the S4DKernel sub-module
inline constexpr const char* kLogStep = "log_step";
inline constexpr const char* kARe = "A_re";
inline constexpr const char* kAIm = "A_im";
inline constexpr const char* kC = "C";

}  // namespace codessm::model::param_names
