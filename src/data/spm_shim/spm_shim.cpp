// libcodessm_spm_shim.so: SentencePiece behind a C interface (see spm_shim_api.h for why).
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <string>
#include <unordered_map>

#include "spm_shim_api.h"

namespace {

// Loaded with RTLD_DEEPBIND, this library and SentencePiece resolve std::cerr/std::cout/std::clog to libstdc++'s
// own definitions, not to the copies the executable holds (copy relocations), which are the ones libstdc++
// constructed at start-up. The ones seen here stay raw zeroed memory, so SentencePiece's first log line (any
// warning, e.g. "vocab_size is too large") segfaulted. Each stream seen here that was never constructed is
// constructed as a stream over the process's real buffer.
void bind_standard_stream(std::ostream& seen_here, const char* symbol) {
  // Laundered through an empty asm: the compiler assumes std::cerr is a live object with a vtable and would
  // otherwise fold the check below away.
  void* local = static_cast<void*>(&seen_here);
  asm volatile("" : "+r"(local));
  // The executable's handle, not RTLD_DEFAULT: from a DEEPBIND library that would search this library's own
  // scope first and find the unconstructed definition again.
  static void* const program = ::dlopen(nullptr, RTLD_NOW);
  auto* process_stream = program ? static_cast<std::ostream*>(::dlsym(program, symbol)) : nullptr;
  if (process_stream == nullptr || process_stream == local) return;       // one object: nothing to do
  if (*static_cast<volatile const uintptr_t*>(local) != 0) return;        // has a vtable: constructed already
  new (local) std::ostream(process_stream->rdbuf());
}

__attribute__((constructor)) void bind_standard_streams() {
  bind_standard_stream(std::cerr, "_ZSt4cerr");
  bind_standard_stream(std::cout, "_ZSt4cout");
  bind_standard_stream(std::clog, "_ZSt4clog");
}

void set_error(char* err, size_t size, const std::string& msg) {
  if (!err || size == 0) return;
  std::strncpy(err, msg.c_str(), size - 1);
  err[size - 1] = '\0';
}

class CallbackIterator : public sentencepiece::SentenceIterator {
 public:
  CallbackIterator(cssm_spm_next_fn next, void* ctx) : next_(next), ctx_(ctx) { Next(); }
  bool done() const override { return done_; }
  void Next() override {
    const char* data = nullptr;
    size_t size = 0;
    done_ = next_(ctx_, &data, &size) == 0;
    if (!done_) value_.assign(data, size);
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  cssm_spm_next_fn next_;
  void* ctx_;
  std::string value_;
  bool done_ = false;
};

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* cssm_spm_load(const char* proto, size_t size, char* err,
                                                           size_t err_size) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  auto st = sp->LoadFromSerializedProto(std::string(proto, size));
  if (!st.ok()) {
    set_error(err, err_size, st.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

__attribute__((visibility("default"))) void cssm_spm_free(void* handle) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}

__attribute__((visibility("default"))) int cssm_spm_piece_size(void* handle) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(handle)->GetPieceSize();
}

__attribute__((visibility("default"))) int cssm_spm_piece(void* handle, int id, char* buf, size_t size) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  set_error(buf, size, sp->IdToPiece(id));
  return (sp->IsControl(id) ? CSSM_SPM_CONTROL : 0) | (sp->IsUnknown(id) ? CSSM_SPM_UNKNOWN : 0) |
         (sp->IsByte(id) ? CSSM_SPM_BYTE : 0);
}

__attribute__((visibility("default"))) int cssm_spm_encode(void* handle, const char* text, size_t size,
                                                           cssm_spm_emit_fn emit, void* ctx, char* err,
                                                           size_t err_size) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(handle);
  auto proto = sp->EncodeAsImmutableProto(std::string_view(text, size));
  for (size_t i = 0; i < proto.pieces_size(); ++i) {
    auto p = proto.pieces(static_cast<int>(i));
    emit(ctx, static_cast<int>(p.id()), p.begin(), p.end());
  }
  (void)err, (void)err_size;
  return 0;
}

__attribute__((visibility("default"))) int cssm_spm_train(const char* const* keys, const char* const* values, int n,
                                                          cssm_spm_next_fn next, void* ctx, char** proto,
                                                          size_t* proto_size, char* err, size_t err_size) {
  std::unordered_map<std::string, std::string> kw;
  for (int i = 0; i < n; ++i) kw[keys[i]] = values[i];
  CallbackIterator it(next, ctx);
  std::string model;
  auto st = sentencepiece::SentencePieceTrainer::Train(kw, &it, &model);
  if (!st.ok()) {
    set_error(err, err_size, st.ToString());
    return 1;
  }
  *proto = static_cast<char*>(std::malloc(model.size()));
  std::memcpy(*proto, model.data(), model.size());
  *proto_size = model.size();
  return 0;
}

__attribute__((visibility("default"))) void cssm_spm_free_buffer(char* buffer) { std::free(buffer); }

}  // extern "C"
