// Shared pieces of dn_mpi: the library's communicator, typed-array buffers, argument reading
// and MPI error conversion. lib/dist/mpi.ts checks every argument with messages that name the
// values; the checks here only keep a direct caller from crashing the process.
#pragma once

#include <mpi.h>
#include <napi.h>

#include <cstddef>

namespace dn {

// Per Node environment (main thread or a worker): JS constructors belong to one environment.
struct AddonData {
  Napi::FunctionReference errorClass;  // MpiError from lib/dist/mpi.ts, once setErrorClass ran
  Napi::FunctionReference requestClass;
};

// The private duplicate of MPI_COMM_WORLD made by Init, so the library's messages never match
// a user's. MPI state is per process, so every thread that loaded the addon shares it.
MPI_Comm Comm(Napi::Env env);  // throws unless initialized and not finalized
MPI_Comm CommOrNull();
void SetComm(MPI_Comm comm);

// A typed array's memory, used in place (also inside a SharedArrayBuffer).
struct Buffer {
  void* data = nullptr;
  size_t length = 0;  // elements
  size_t bytes = 0;
  napi_typedarray_type type = napi_uint8_array;
};

Buffer GetBuffer(Napi::Env env, Napi::Value value, const char* name);
bool IsNullish(Napi::Value value);
MPI_Datatype Datatype(napi_typedarray_type type);
bool IsFloat(napi_typedarray_type type);

// MPI counts are C ints: larger messages must be split by the caller.
int ByteCount(Napi::Env env, const Buffer& buf, const char* name);
int ElementCount(Napi::Env env, const Buffer& buf, const char* name);

int GetInt(Napi::Env env, Napi::Value value, const char* name);
int GetRank(Napi::Env env, MPI_Comm comm, Napi::Value value, const char* name);
MPI_Op GetOp(Napi::Env env, Napi::Value value, napi_typedarray_type type);

// Throws an MpiError (the class lib/dist/mpi.ts registered, else Error) with code 'ERR_MPI',
// the MPI error class and MPI_Error_string's text.
Napi::Error MpiError(Napi::Env env, int code, const char* call);
inline void Check(Napi::Env env, int code, const char* call) {
  if (code != MPI_SUCCESS) throw MpiError(env, code, call);
}

// { source, tag, count } with count in bytes, as mpi4py's Status.Get_count(MPI.BYTE).
Napi::Object StatusObject(Napi::Env env, int source, int tag, int count);
Napi::Object StatusObject(Napi::Env env, const MPI_Status& status);

void RegisterP2P(Napi::Env env, Napi::Object exports);
void RegisterRequests(Napi::Env env, Napi::Object exports);
void RegisterCollectives(Napi::Env env, Napi::Object exports);
void RegisterAsync(Napi::Env env, Napi::Object exports);

}  // namespace dn
