// dn_mpi: OpenMPI for distnumpy, with mpi4py's buffer names. This file holds the module and
// the environment calls (Init, rank, size, Finalize, ...); the others hold point-to-point,
// requests, collectives and the Promise-returning variants.
#include <mutex>
#include <string>
#include <vector>

#include "mpi_common.h"

namespace dn {
namespace {

std::mutex g_init_mutex;  // two threads calling Init at once must not both duplicate the comm

// MPI_THREAD_MULTIPLE because worker threads and AsyncWorkers call MPI beside the main thread.
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(g_init_mutex);
  int initialized = 0, finalized = 0, provided = MPI_THREAD_SINGLE;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) throw Napi::Error::New(env, "MPI is finalized: it cannot be initialized again");
  if (!initialized) {
    // Before a communicator exists, errors abort (MPI_ERRORS_ARE_FATAL on COMM_WORLD).
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  } else {
    MPI_Query_thread(&provided);
  }
  if (CommOrNull() == MPI_COMM_NULL) {
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm parent = MPI_COMM_NULL;
    MPI_Comm_get_parent(&parent);
    if (parent != MPI_COMM_NULL) {
      // Spawned by a rank 0 (Spawn below): the library's world is the parent and its children,
      // the parent first, so ranks are numbered as under mpirun.
      MPI_Comm_set_errhandler(parent, MPI_ERRORS_RETURN);
      Check(env, MPI_Intercomm_merge(parent, 1, &comm), "MPI_Intercomm_merge");
    } else {
      Check(env, MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup");
    }
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    SetComm(comm);
  }
  return Napi::Number::New(env, provided);
}

// Spawn(command, args, count): start `count` processes running `command args` (MPI_Comm_spawn
// from this lone process) and make the library's communicator this process (rank 0) and them.
// How one machine runs several ranks without mpirun: the spawned ranks' Init joins them.
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(g_init_mutex);
  MPI_Comm current = Comm(env);
  int size = 0;
  Check(env, MPI_Comm_size(current, &size), "MPI_Comm_size");
  if (size != 1) throw Napi::Error::New(env, "Spawn: this process is already one of several ranks");
  std::string command = info[0].As<Napi::String>().Utf8Value();
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<std::string> args;
  for (uint32_t i = 0; i < list.Length(); i++) args.push_back(list.Get(i).As<Napi::String>().Utf8Value());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int count = GetInt(env, info[2], "count");
  std::vector<int> errcodes(count, MPI_SUCCESS);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Comm inter = MPI_COMM_NULL;
  Check(env, MPI_Comm_spawn(command.c_str(), argv.data(), count, MPI_INFO_NULL, 0, MPI_COMM_SELF, &inter,
                            errcodes.data()), "MPI_Comm_spawn");
  for (int code : errcodes) Check(env, code, "MPI_Comm_spawn");
  MPI_Comm_set_errhandler(inter, MPI_ERRORS_RETURN);
  MPI_Comm merged = MPI_COMM_NULL;
  Check(env, MPI_Intercomm_merge(inter, 0, &merged), "MPI_Intercomm_merge");
  MPI_Comm_set_errhandler(merged, MPI_ERRORS_RETURN);
  MPI_Comm_free(&inter);
  MPI_Comm_free(&current);
  SetComm(merged);
  return env.Undefined();
}

Napi::Value Initialized(const Napi::CallbackInfo& info) {
  int flag = 0;
  MPI_Initialized(&flag);
  return Napi::Boolean::New(info.Env(), flag != 0);
}

Napi::Value Finalized(const Napi::CallbackInfo& info) {
  int flag = 0;
  MPI_Finalized(&flag);
  return Napi::Boolean::New(info.Env(), flag != 0);
}

Napi::Value Rank(const Napi::CallbackInfo& info) {
  int rank = 0;
  Check(info.Env(), MPI_Comm_rank(Comm(info.Env()), &rank), "MPI_Comm_rank");
  return Napi::Number::New(info.Env(), rank);
}

Napi::Value Size(const Napi::CallbackInfo& info) {
  int size = 0;
  Check(info.Env(), MPI_Comm_size(Comm(info.Env()), &size), "MPI_Comm_size");
  return Napi::Number::New(info.Env(), size);
}

// The largest tag a send may use (at least 32767 by the standard).
Napi::Value TagUB(const Napi::CallbackInfo& info) {
  int* value = nullptr;
  int flag = 0;
  Check(info.Env(), MPI_Comm_get_attr(Comm(info.Env()), MPI_TAG_UB, &value, &flag), "MPI_Comm_get_attr");
  return Napi::Number::New(info.Env(), flag && value ? *value : 32767);
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Check(info.Env(), MPI_Barrier(Comm(info.Env())), "MPI_Barrier");
  return info.Env().Undefined();
}

Napi::Value Abort(const Napi::CallbackInfo& info) {
  int code = info.Length() > 0 ? GetInt(info.Env(), info[0], "code") : 1;
  MPI_Comm comm = CommOrNull();
  MPI_Abort(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, code);
  return info.Env().Undefined();  // not reached: MPI_Abort ends every rank
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(g_init_mutex);
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (!initialized || finalized) return env.Undefined();
  MPI_Comm comm = CommOrNull();
  SetComm(MPI_COMM_NULL);
  if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  Check(env, MPI_Finalize(), "MPI_Finalize");
  return env.Undefined();
}

Napi::Value ProcessorName(const Napi::CallbackInfo& info) {
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  Check(info.Env(), MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  return Napi::String::New(info.Env(), name, len);
}

Napi::Value Wtime(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), MPI_Wtime());
}

// Callable before Init: lets `distnumpy info` say which MPI the addon was built against.
Napi::Value LibraryVersion(const Napi::CallbackInfo& info) {
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(version, &len);
  while (len > 0 && version[len - 1] == '\0') len--;  // OpenMPI counts the terminator
  return Napi::String::New(info.Env(), version, len);
}

// lib/dist/mpi.ts hands in its MpiError class so that failures thrown here are instances of it.
Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "setErrorClass needs a constructor");
  env.GetInstanceData<AddonData>()->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

void Method(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn) {
  exports.Set(name, Napi::Function::New(env, fn, name));
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<AddonData>(new AddonData());
  exports.Set("ANY_SOURCE", Napi::Number::New(env, MPI_ANY_SOURCE));
  exports.Set("ANY_TAG", Napi::Number::New(env, MPI_ANY_TAG));
  exports.Set("PROC_NULL", Napi::Number::New(env, MPI_PROC_NULL));
  exports.Set("THREAD_SINGLE", Napi::Number::New(env, MPI_THREAD_SINGLE));
  exports.Set("THREAD_FUNNELED", Napi::Number::New(env, MPI_THREAD_FUNNELED));
  exports.Set("THREAD_SERIALIZED", Napi::Number::New(env, MPI_THREAD_SERIALIZED));
  exports.Set("THREAD_MULTIPLE", Napi::Number::New(env, MPI_THREAD_MULTIPLE));
  Method(env, exports, "Init", Init);
  Method(env, exports, "Initialized", Initialized);
  Method(env, exports, "Finalized", Finalized);
  Method(env, exports, "rank", Rank);
  Method(env, exports, "size", Size);
  Method(env, exports, "tagUB", TagUB);
  Method(env, exports, "Barrier", Barrier);
  Method(env, exports, "Abort", Abort);
  Method(env, exports, "Finalize", Finalize);
  Method(env, exports, "Spawn", Spawn);
  Method(env, exports, "processorName", ProcessorName);
  Method(env, exports, "Wtime", Wtime);
  Method(env, exports, "libraryVersion", LibraryVersion);
  Method(env, exports, "setErrorClass", SetErrorClass);
  RegisterP2P(env, exports);
  RegisterRequests(env, exports);
  RegisterCollectives(env, exports);
  RegisterAsync(env, exports);
  return exports;
}

}  // namespace
}  // namespace dn

// NODE_API_MODULE pastes the name into an identifier: it must be unqualified.
static Napi::Object InitDnMpi(Napi::Env env, Napi::Object exports) { return dn::InitModule(env, exports); }

NODE_API_MODULE(dn_mpi, InitDnMpi)
