// Non-blocking point-to-point (Isend, Irecv) and completion (Test, Wait, Waitall, Waitsome,
// Testsome). A status is { source, tag, count } in bytes; for a send it is the sender's own rank,
// the tag and the bytes sent, since MPI leaves a send's status undefined.
#include "mpi_request.h"

#include <algorithm>
#include <string>

namespace dn {

namespace {
// Request objects come only from Isend/Irecv: `new Request()` from JS is refused.
thread_local bool g_creating = false;
}  // namespace

Napi::Function Request::Define(Napi::Env env) {
  return DefineClass(env, "Request",
                     {InstanceAccessor<&Request::DoneGetter>("done"),
                      InstanceAccessor<&Request::StatusGetter>("status")});
}

Request::Request(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Request>(info) {
  if (!g_creating) {
    throw Napi::TypeError::New(info.Env(), "Request objects are made by Isend and Irecv");
  }
}

Napi::Object Request::Start(Napi::Env env, MPI_Request handle, Napi::Object buffer, bool isRecv,
                            int self, int tag, int bytes) {
  g_creating = true;
  Napi::Object object;
  try {
    object = env.GetInstanceData<AddonData>()->requestClass.New({});
  } catch (...) {
    g_creating = false;
    throw;
  }
  g_creating = false;
  Request* request = Unwrap(object);
  request->handle = handle;
  request->isRecv_ = isRecv;
  request->done_ = false;
  request->source_ = self;
  request->tag_ = tag;
  request->count_ = bytes;
  request->buffer_ = Napi::Persistent(buffer);
  request->Ref();  // dropped in Complete
  return object;
}

Request* Request::FromValue(Napi::Env env, Napi::Value value, const char* name) {
  Napi::FunctionReference& ctor = env.GetInstanceData<AddonData>()->requestClass;
  Request* request = nullptr;
  if (value.IsObject() && value.As<Napi::Object>().InstanceOf(ctor.Value())) {
    napi_unwrap(env, value, reinterpret_cast<void**>(&request));
  }
  if (request == nullptr) throw Napi::TypeError::New(env, std::string(name) + " must be a Request");
  if (request->busy) {
    throw Napi::Error::New(env, std::string(name) + " is being waited for by WaitallAsync");
  }
  return request;
}

std::vector<Request*> Request::List(Napi::Env env, Napi::Value value) {
  if (!value.IsArray()) throw Napi::TypeError::New(env, "requests must be an array of Request");
  Napi::Array array = value.As<Napi::Array>();
  std::vector<Request*> requests;
  requests.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    Request* request = FromValue(env, array.Get(i), "requests[i]");
    // MPI would wait twice on one handle: refuse rather than hang or corrupt.
    if (std::find(requests.begin(), requests.end(), request) != requests.end()) {
      throw Napi::Error::New(env, "requests contains the same Request twice");
    }
    requests.push_back(request);
  }
  return requests;
}

void Request::Complete(const MPI_Status& status) {
  if (done_) return;
  done_ = true;
  if (isRecv_) {
    source_ = status.MPI_SOURCE;
    tag_ = status.MPI_TAG;
    MPI_Get_count(&status, MPI_BYTE, &count_);
  }
  buffer_.Reset();
  Unref();
}

Napi::Value Request::Status(Napi::Env env) const {
  if (!done_) return env.Null();
  return StatusObject(env, source_, tag_, count_);
}

Napi::Value Request::DoneGetter(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), done_);
}

Napi::Value Request::StatusGetter(const Napi::CallbackInfo& info) { return Status(info.Env()); }

void CompleteFinished(std::vector<Request*>& requests, const std::vector<MPI_Request>& handles,
                      const std::vector<MPI_Status>& statuses) {
  for (size_t i = 0; i < requests.size(); i++) {
    if (requests[i]->handle != MPI_REQUEST_NULL && handles[i] == MPI_REQUEST_NULL) {
      requests[i]->handle = MPI_REQUEST_NULL;
      requests[i]->Complete(statuses[i]);
    }
  }
}

namespace {

std::vector<MPI_Request> Handles(const std::vector<Request*>& requests) {
  std::vector<MPI_Request> handles;
  handles.reserve(requests.size());
  for (Request* r : requests) handles.push_back(r->handle);
  return handles;
}

Napi::Array Statuses(Napi::Env env, const std::vector<Request*>& requests) {
  Napi::Array out = Napi::Array::New(env, requests.size());
  for (size_t i = 0; i < requests.size(); i++) out.Set(i, requests[i]->Status(env));
  return out;
}

int SelfRank(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

// Isend(buf, dest, tag) -> Request
Napi::Value Isend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int dest = GetInt(env, info[1], "dest");
  int tag = GetInt(env, info[2], "tag");
  int bytes = ByteCount(env, buf, "buf");
  MPI_Request handle;
  Check(env, MPI_Isend(buf.data, bytes, MPI_BYTE, dest, tag, comm, &handle), "MPI_Isend");
  return Request::Start(env, handle, info[0].As<Napi::Object>(), false, SelfRank(comm), tag, bytes);
}

// Irecv(buf, source, tag) -> Request
Napi::Value Irecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int source = GetInt(env, info[1], "source");
  int tag = GetInt(env, info[2], "tag");
  MPI_Request handle;
  Check(env, MPI_Irecv(buf.data, ByteCount(env, buf, "buf"), MPI_BYTE, source, tag, comm, &handle),
        "MPI_Irecv");
  return Request::Start(env, handle, info[0].As<Napi::Object>(), true, source, tag, 0);
}

// Test(req) -> boolean
Napi::Value Test(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Request* request = Request::FromValue(env, info[0], "request");
  if (request->handle != MPI_REQUEST_NULL) {
    int flag = 0;
    MPI_Status status;
    Check(env, MPI_Test(&request->handle, &flag, &status), "MPI_Test");
    if (!flag) return Napi::Boolean::New(env, false);
    request->Complete(status);
  }
  return Napi::Boolean::New(env, true);
}

// Wait(req) -> status
Napi::Value Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Request* request = Request::FromValue(env, info[0], "request");
  if (request->handle != MPI_REQUEST_NULL) {
    MPI_Status status;
    Check(env, MPI_Wait(&request->handle, &status), "MPI_Wait");
    request->Complete(status);
  }
  return request->Status(env);
}

// On MPI_ERR_IN_STATUS the error of the call is the first failed request's.
int FirstError(int code, const std::vector<MPI_Status>& statuses, int n) {
  if (code != MPI_ERR_IN_STATUS) return code;
  for (int i = 0; i < n; i++) {
    int e = statuses[i].MPI_ERROR;
    if (e != MPI_SUCCESS && e != MPI_ERR_PENDING) return e;
  }
  return code;
}

// Waitall(reqs) -> statuses
Napi::Value Waitall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Request*> requests = Request::List(env, info[0]);
  std::vector<MPI_Request> handles = Handles(requests);
  std::vector<MPI_Status> statuses(requests.size());
  int n = static_cast<int>(requests.size());
  int code = MPI_Waitall(n, handles.data(), statuses.data());
  CompleteFinished(requests, handles, statuses);
  Check(env, FirstError(code, statuses, n), "MPI_Waitall");
  return Statuses(env, requests);
}

// Waitsome / Testsome (reqs) -> indices of the requests that completed in this call.
template <int (*Some)(int, MPI_Request*, int*, int*, MPI_Status*)>
Napi::Value SomeDone(const Napi::CallbackInfo& info, const char* call) {
  Napi::Env env = info.Env();
  std::vector<Request*> requests = Request::List(env, info[0]);
  std::vector<MPI_Request> handles = Handles(requests);
  int n = static_cast<int>(requests.size());
  std::vector<int> indices(requests.size());
  std::vector<MPI_Status> statuses(requests.size());
  int outcount = 0;
  int code = Some(n, handles.data(), &outcount, indices.data(), statuses.data());
  if (outcount == MPI_UNDEFINED) outcount = 0;  // every request was already complete
  Napi::Array out = Napi::Array::New(env, outcount);
  for (int k = 0; k < outcount; k++) {
    Request* request = requests[indices[k]];
    if (handles[indices[k]] == MPI_REQUEST_NULL) {
      request->handle = MPI_REQUEST_NULL;
      request->Complete(statuses[k]);
    }
    out.Set(k, indices[k]);
  }
  Check(env, FirstError(code, statuses, outcount), call);
  return out;
}

Napi::Value Waitsome(const Napi::CallbackInfo& info) { return SomeDone<MPI_Waitsome>(info, "MPI_Waitsome"); }
Napi::Value Testsome(const Napi::CallbackInfo& info) { return SomeDone<MPI_Testsome>(info, "MPI_Testsome"); }

}  // namespace

void RegisterRequests(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = Request::Define(env);
  env.GetInstanceData<AddonData>()->requestClass = Napi::Persistent(ctor);
  exports.Set("Request", ctor);
  exports.Set("Isend", Napi::Function::New(env, Isend, "Isend"));
  exports.Set("Irecv", Napi::Function::New(env, Irecv, "Irecv"));
  exports.Set("Test", Napi::Function::New(env, Test, "Test"));
  exports.Set("Wait", Napi::Function::New(env, Wait, "Wait"));
  exports.Set("Waitall", Napi::Function::New(env, Waitall, "Waitall"));
  exports.Set("Waitsome", Napi::Function::New(env, Waitsome, "Waitsome"));
  exports.Set("Testsome", Napi::Function::New(env, Testsome, "Testsome"));
}

}  // namespace dn
