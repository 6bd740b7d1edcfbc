// Loads libcodessm_spm_shim.so (SentencePiece behind a C interface, isolated with RTLD_DEEPBIND: see
// spm_shim/spm_shim_api.h) once per process and exposes its functions.
#pragma once

#include "spm_shim/spm_shim_api.h"

namespace codessm::data {

struct SpmLibrary {
  cssm_spm_load_fn load;
  cssm_spm_free_fn free;
  cssm_spm_piece_size_fn piece_size;
  cssm_spm_piece_fn piece;
  cssm_spm_encode_fn encode;
  cssm_spm_train_fn train;
  cssm_spm_free_buffer_fn free_buffer;

  /// The loaded library. Looks in $CODESSM_SPM_SHIM, the build-time path, then next to the executable;
  /// throws DataError listing the places tried.
  static const SpmLibrary& get();
};

}  // namespace codessm::data
