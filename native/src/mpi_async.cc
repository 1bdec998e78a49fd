// Promise-returning variants of blocking calls: the MPI call runs on a libuv pool thread so the
// event loop stays free (a watchdog timer can still fire while a rank waits). While running,
// the worker touches no JS value: it holds raw pointers and MPI handles copied on the main
// thread, and references that keep the typed arrays alive until it is done.
// Each pending call occupies one libuv pool thread (UV_THREADPOOL_SIZE, 4 by default).
#include <functional>
#include <utility>
#include <vector>

#include "mpi_request.h"

namespace dn {
namespace {

class MpiWorker : public Napi::AsyncWorker {
 public:
  MpiWorker(Napi::Env env, const char* call, std::function<int()> run)
      : Napi::AsyncWorker(env, call), call_(call), run_(std::move(run)), deferred_(env) {}

  // Keeps `value` (a buffer the call reads or writes) alive until the promise settles.
  void Keep(Napi::Value value) { keep_.push_back(Napi::Persistent(value.As<Napi::Object>())); }

  Napi::Promise Launch() {
    Napi::Promise promise = deferred_.Promise();
    Queue();
    return promise;
  }

 protected:
  void Execute() override {
    code_ = run_();
    if (code_ != MPI_SUCCESS) SetError(call_);
  }

  void OnOK() override { deferred_.Resolve(Result(Env())); }

  void OnError(const Napi::Error&) override {
    Finish(Env());
    deferred_.Reject(MpiError(Env(), code_, call_).Value());
  }

  // On the main thread once the call returned: the value the promise resolves to.
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  virtual void Finish(Napi::Env env) {}

  int code_ = MPI_SUCCESS;

 private:
  const char* call_;
  std::function<int()> run_;
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keep_;
};

// The requests are marked busy so that no synchronous Test/Wait races the pool thread.
class WaitallWorker : public MpiWorker {
 public:
  WaitallWorker(Napi::Env env, std::vector<Request*> requests)
      : MpiWorker(env, "MPI_Waitall", [this] { return WaitAll(); }),
        requests_(std::move(requests)),
        handles_(requests_.size()),
        statuses_(requests_.size()) {
    for (size_t i = 0; i < requests_.size(); i++) {
      handles_[i] = requests_[i]->handle;
      requests_[i]->busy = true;
      // The Request object is kept too: its C++ side must outlive this worker.
      refs_.push_back(Napi::Persistent(requests_[i]->Value()));
    }
  }

 protected:
  Napi::Value Result(Napi::Env env) override {
    Finish(env);
    Napi::Array out = Napi::Array::New(env, requests_.size());
    for (size_t i = 0; i < requests_.size(); i++) out.Set(i, requests_[i]->Status(env));
    return out;
  }

  void Finish(Napi::Env env) override {
    for (Request* r : requests_) r->busy = false;
    CompleteFinished(requests_, handles_, statuses_);
  }

 private:
  int WaitAll() {
    int code = MPI_Waitall(static_cast<int>(handles_.size()), handles_.data(), statuses_.data());
    if (code == MPI_ERR_IN_STATUS) {
      for (const MPI_Status& s : statuses_) {
        if (s.MPI_ERROR != MPI_SUCCESS && s.MPI_ERROR != MPI_ERR_PENDING) return s.MPI_ERROR;
      }
    }
    return code;
  }

  std::vector<Request*> requests_;
  std::vector<MPI_Request> handles_;
  std::vector<MPI_Status> statuses_;
  std::vector<Napi::ObjectReference> refs_;
};

// WaitallAsync(reqs) -> Promise<statuses>
Napi::Value WaitallAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Comm(env);
  auto* worker = new WaitallWorker(env, Request::List(env, info[0]));
  return worker->Launch();
}

// BcastAsync(buf, root) -> Promise<void>
Napi::Value BcastAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int root = GetRank(env, comm, info[1], "root");
  int bytes = ByteCount(env, buf, "buf");
  void* data = buf.data;
  auto* worker = new MpiWorker(env, "MPI_Bcast",
                               [=] { return MPI_Bcast(data, bytes, MPI_BYTE, root, comm); });
  worker->Keep(info[0]);
  return worker->Launch();
}

// AllreduceAsync(sendbuf, recvbuf, op) -> Promise<void>
Napi::Value AllreduceAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer send = GetBuffer(env, info[0], "sendbuf");
  Buffer recv = GetBuffer(env, info[1], "recvbuf");
  if (send.type != recv.type || send.length != recv.length) {
    throw Napi::TypeError::New(env, "sendbuf and recvbuf must be typed arrays of one type and length");
  }
  MPI_Op op = GetOp(env, info[2], recv.type);
  int count = ElementCount(env, recv, "recvbuf");
  MPI_Datatype type = Datatype(recv.type);
  const void* from = send.data == recv.data ? MPI_IN_PLACE : send.data;
  void* to = recv.data;
  auto* worker = new MpiWorker(env, "MPI_Allreduce",
                               [=] { return MPI_Allreduce(from, to, count, type, op, comm); });
  worker->Keep(info[0]);
  worker->Keep(info[1]);
  return worker->Launch();
}

// BarrierAsync() -> Promise<void>
Napi::Value BarrierAsync(const Napi::CallbackInfo& info) {
  MPI_Comm comm = Comm(info.Env());
  auto* worker = new MpiWorker(info.Env(), "MPI_Barrier", [=] { return MPI_Barrier(comm); });
  return worker->Launch();
}

}  // namespace

void RegisterAsync(Napi::Env env, Napi::Object exports) {
  exports.Set("WaitallAsync", Napi::Function::New(env, WaitallAsync, "WaitallAsync"));
  exports.Set("BcastAsync", Napi::Function::New(env, BcastAsync, "BcastAsync"));
  exports.Set("AllreduceAsync", Napi::Function::New(env, AllreduceAsync, "AllreduceAsync"));
  exports.Set("BarrierAsync", Napi::Function::New(env, BarrierAsync, "BarrierAsync"));
}

}  // namespace dn
