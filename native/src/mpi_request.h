// The JS object returned by Isend / Irecv. Until the request completes it holds its typed array
// (and itself) strongly, so neither can be collected while MPI may still write into the memory.
#pragma once

#include <vector>

#include "mpi_common.h"

namespace dn {

class Request : public Napi::ObjectWrap<Request> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Start(Napi::Env env, MPI_Request handle, Napi::Object buffer, bool isRecv,
                            int self, int tag, int bytes);
  static Request* FromValue(Napi::Env env, Napi::Value value, const char* name);
  // An array of distinct requests not owned by an async wait.
  static std::vector<Request*> List(Napi::Env env, Napi::Value value);

  explicit Request(const Napi::CallbackInfo& info);

  // Records the outcome (status is ignored for a send) and drops the strong references.
  void Complete(const MPI_Status& status);
  Napi::Value Status(Napi::Env env) const;

  MPI_Request handle = MPI_REQUEST_NULL;
  bool busy = false;  // an AsyncWorker owns `handle` until it resolves

 private:
  Napi::Value DoneGetter(const Napi::CallbackInfo& info);
  Napi::Value StatusGetter(const Napi::CallbackInfo& info);

  Napi::ObjectReference buffer_;
  bool isRecv_ = false;
  bool done_ = true;
  int source_ = MPI_ANY_SOURCE;
  int tag_ = MPI_ANY_TAG;
  int count_ = 0;
};

// After MPI_Waitall/Testall-like calls: completes every request whose handle MPI set to null.
void CompleteFinished(std::vector<Request*>& requests, const std::vector<MPI_Request>& handles,
                      const std::vector<MPI_Status>& statuses);

}  // namespace dn
