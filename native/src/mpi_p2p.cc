// Blocking point-to-point calls. Messages travel as bytes (MPI_BYTE over the view's byteLength),
// so a receiver may use any typed view of the same bytes.
#include "mpi_common.h"

namespace dn {
namespace {

// Send(buf, dest, tag)
Napi::Value Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int dest = GetInt(env, info[1], "dest");
  int tag = GetInt(env, info[2], "tag");
  Check(env, MPI_Send(buf.data, ByteCount(env, buf, "buf"), MPI_BYTE, dest, tag, comm), "MPI_Send");
  return env.Undefined();
}

// Recv(buf, source, tag) -> { source, tag, count }; source and tag may be ANY_SOURCE / ANY_TAG.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int source = GetInt(env, info[1], "source");
  int tag = GetInt(env, info[2], "tag");
  MPI_Status status;
  Check(env, MPI_Recv(buf.data, ByteCount(env, buf, "buf"), MPI_BYTE, source, tag, comm, &status),
        "MPI_Recv");
  return StatusObject(env, status);
}

// Iprobe(source, tag) -> status of a waiting message, or null.
Napi::Value Iprobe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  int source = GetInt(env, info[0], "source");
  int tag = GetInt(env, info[1], "tag");
  int flag = 0;
  MPI_Status status;
  Check(env, MPI_Iprobe(source, tag, comm, &flag, &status), "MPI_Iprobe");
  if (!flag) return env.Null();
  return StatusObject(env, status);
}

}  // namespace

void RegisterP2P(Napi::Env env, Napi::Object exports) {
  exports.Set("Send", Napi::Function::New(env, Send, "Send"));
  exports.Set("Recv", Napi::Function::New(env, Recv, "Recv"));
  exports.Set("Iprobe", Napi::Function::New(env, Iprobe, "Iprobe"));
}

}  // namespace dn
