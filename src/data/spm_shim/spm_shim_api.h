// C interface of libcodessm_spm_shim.so, the only code that links SentencePiece.
// Why a dlopen'ed shim: Debian's libsentencepiece.so 0.1.97 exports its own bundled copy of protobuf-lite
// (3.14), while LibTorch pulls in the system libprotobuf 3.21. Linked into one process, the dynamic
// linker binds libprotobuf's static initialisers to sentencepiece's copies and the program segfaults
// before main(). Loaded with dlopen(RTLD_LOCAL | RTLD_DEEPBIND), sentencepiece binds to its own copy
// and nothing of it is visible to the rest of the process.
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Piece flags returned by cssm_spm_piece.
enum { CSSM_SPM_CONTROL = 1, CSSM_SPM_UNKNOWN = 2, CSSM_SPM_BYTE = 4 };

/// Receives one encoded piece: id and byte span in the input.
typedef void (*cssm_spm_emit_fn)(void* ctx, int id, unsigned begin, unsigned end);
/// Produces the next training sentence; returns 0 when there are no more.
typedef int (*cssm_spm_next_fn)(void* ctx, const char** data, size_t* size);

/// Loads a serialized model; returns a handle or NULL with a message in `err`.
typedef void* (*cssm_spm_load_fn)(const char* proto, size_t size, char* err, size_t err_size);
typedef void (*cssm_spm_free_fn)(void* handle);
typedef int (*cssm_spm_piece_size_fn)(void* handle);
/// Copies piece `id` into `buf` (NUL-terminated, truncated to `size`), returns its flags.
typedef int (*cssm_spm_piece_fn)(void* handle, int id, char* buf, size_t size);
/// Encodes `text`; returns 0 on success, else writes a message to `err`.
typedef int (*cssm_spm_encode_fn)(void* handle, const char* text, size_t size, cssm_spm_emit_fn emit, void* ctx,
                                  char* err, size_t err_size);
/// Trains from `n` key/value options and a sentence source; on success returns 0 and a malloc'ed
/// serialized model in *proto (free with cssm_spm_free_buffer).
typedef int (*cssm_spm_train_fn)(const char* const* keys, const char* const* values, int n, cssm_spm_next_fn next,
                                 void* ctx, char** proto, size_t* proto_size, char* err, size_t err_size);
typedef void (*cssm_spm_free_buffer_fn)(char* buffer);

#ifdef __cplusplus
}
#endif
