#include "codessm/model/bigs_model.h"

#include <atomic>

#include "codessm/kernels/gelu_mul.h"
#include "codessm/kernels/layer_norm.h"

namespace codessm::model {

namespace {
std::atomic<bool> g_mask_host_check{false};

/// The mask the layers get: undefined when nothing is padded and a mask would cost the layers a pass.
torch::Tensor layer_mask_for(const torch::Tensor& mask, const torch::Tensor& h, bool fast_path) {
  if (!mask.defined()) return mask;
  if (fast_path && kernels::gelu_mul_is_fused(h) && !g_mask_host_check.load()) {
    // The fused GELU split scales its rows by the mask in the pass it makes anyway, so an all-ones mask is free
    // (×1 is exact), while finding out that it is all ones takes a host synchronisation (no measurable cost at
    // L 2048 on the H200, run 10a, but none is allowed inside a CUDA graph capture). Cast once here, to the
    // fp32 rows the split reads, rather than in every layer.
    return mask.to(torch::kFloat32).contiguous();                              // f32(B L)
  }
  // A batch without padding needs no mask: saves a pass over the mixer inputs in every layer (one host sync).
  return mask.min().item<double>() < 0.5 ? mask : torch::Tensor();
}
}  // namespace

void set_mask_host_check(bool on) { g_mask_host_check.store(on); }

EmbeddingsImpl::EmbeddingsImpl(const config::ModelConfig& cfg) {
  const int64_t d = cfg.hidden_size;
  word_embeddings = register_module(
      "word_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(cfg.vocab_size, d).padding_idx(cfg.pad_token_id)));
  if (cfg.position_embedding_type == "absolute") {
    position_embeddings =
        register_module("position_embeddings", torch::nn::Embedding(cfg.max_position_embeddings, d));
  }
  token_type_embeddings = register_module("token_type_embeddings", torch::nn::Embedding(cfg.type_vocab_size, d));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(cfg.layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(cfg.hidden_dropout_prob));
}

torch::Tensor EmbeddingsImpl::forward(const torch::Tensor& ids, const torch::Tensor& tt) {
  auto e = word_embeddings->forward(ids) + token_type_embeddings->forward(tt);  // r(B L D)
  if (position_embeddings) {
    const int64_t L = ids.size(1);
    TORCH_CHECK(L <= position_embeddings->weight.size(0), "sequence length ", L,
                " exceeds max_position_embeddings ", position_embeddings->weight.size(0));
    auto pos = torch::arange(L, ids.options()).unsqueeze(0);                    // i64(1 L)
    e = e + position_embeddings->forward(pos);
  }
  return dropout->forward(kernels::layer_norm(e, LayerNorm->weight, LayerNorm->bias, LayerNorm->options.eps()));
}

BiGSEncoderImpl::BiGSEncoderImpl(const config::ModelConfig& cfg) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < cfg.num_hidden_layers; ++i) layer->push_back(BiGSLayer(cfg));
}

BiGSPoolerImpl::BiGSPoolerImpl(const config::ModelConfig& cfg) : non_padding_(cfg.pooler_type != "mean") {
  dense = register_module("dense", torch::nn::Linear(cfg.hidden_size, cfg.hidden_size));
}

torch::Tensor BiGSPoolerImpl::forward(const torch::Tensor& h, const torch::Tensor& mask) {
  return torch::tanh(dense->forward(masked_mean(h, non_padding_ ? mask : torch::Tensor())));  // r(B D)
}

BiGSBackbone::BiGSBackbone(const config::ModelConfig& cfg) {
  embeddings = register_module("embeddings", Embeddings(cfg));
  encoder = register_module("encoder", BiGSEncoder(cfg));
  pooler = register_module("pooler", BiGSPooler(cfg));
}

BackboneOutput BiGSBackbone::forward(const torch::Tensor& ids, const torch::Tensor& mask, const torch::Tensor& tt,
                                     bool output_hidden_states) {
  auto types = tt.defined() ? tt : torch::zeros_like(ids);
  auto h = embeddings->forward(ids, types);                                  // r(B L D)
  BackboneOutput out;
  const size_t n = encoder->layer->size();
  auto layer = [&](size_t i) { return encoder->layer->ptr<BiGSLayerImpl>(i); };
  // On the Toeplitz path the convolution matrices of every layer's forward and backward block are built in one
  // batch (a few dozen small kernels per forward instead of that many per block).
  const bool batched = n > 0 && layer(0)->uses_fast_path();
  const torch::Tensor layer_mask = layer_mask_for(mask, h, batched);
  std::vector<kernels::SsmConvPlan> plans_f, plans_b;  // one per layer, cut from the batched plans
  if (batched) {
    const auto& choice = layer(0)->conv();
    std::vector<std::vector<torch::Tensor>> pf(5), pb(5);
    for (size_t i = 0; i < n; ++i) {
      auto f = layer(i)->fs4->kernel_params(), b = layer(i)->bs4->kernel_params();
      for (int j = 0; j < 5; ++j) {
        pf[j].push_back(f[j]);
        pb[j].push_back(b[j]);
      }
    }
    const int64_t K = pf[0][0].size(0);
    const int64_t L = ids.size(1);
    // The automatic block size and tiles are per-block choices (K kernels, not the K·layers of the batched plan).
    // Inference with 16-bit activations and the 16-bit state path: blocks pay off from a shorter length.
    const bool low = h.scalar_type() == torch::kBFloat16 || h.scalar_type() == torch::kHalf;
    const bool state16_inference = low && !choice.fp32_state && !torch::GradMode::is_enabled();
    const int64_t chunk =
        choice.chunk > 0 ? choice.chunk : kernels::auto_chunk(L, K, pf[0][0].is_cuda(), state16_inference);
    const int64_t tiles =
        choice.tiles > 0 ? choice.tiles : kernels::auto_tiles(std::min(chunk, L), K, pf[0][0].is_cuda());
    // Without autograd the dense blocks are spread out in the activations' dtype (the products' cast of T, paid
    // on the taps instead); with gradients T stays fp32 so that dT is summed along its diagonals in fp32.
    kernels::SsmConvOptions opts{chunk, false, choice.fp32_state, tiles};
    if (low && !torch::GradMode::is_enabled()) opts.matrix_dtype = h.scalar_type();
    auto plan = [&](std::vector<std::vector<torch::Tensor>>& p, bool anti) {
      opts.anticausal = anti;
      return kernels::ssm_conv_plan(torch::cat(p[0]), torch::cat(p[1]), torch::cat(p[2]), torch::cat(p[3]),
                                    torch::cat(p[4]), L, opts);
    };
    plans_f = plan(pf, false).split(K);
    plans_b = plan(pb, layer(0)->bidirectional()).split(K);
  }
  for (size_t i = 0; i < n; ++i) {
    if (output_hidden_states) out.hidden_states.push_back(h);
    if (batched) {
      h = layer(i)->forward_fast(h, layer_mask, nullptr, &plans_f[i], &plans_b[i]);
    } else {
      h = layer(i)->forward(h, layer_mask);
    }
  }
  if (output_hidden_states) out.hidden_states.push_back(h);
  out.last_hidden = h;  // no final LayerNorm in BiGS [pt:333-385]
  return out;
}

torch::Tensor BiGSBackbone::pool(const torch::Tensor& h, const torch::Tensor& mask) {
  return pooler->forward(h, mask);
}

void BiGSBackbone::init_weights(double r) { init_standard_weights(*this, r); }

}  // namespace codessm::model
