// Collectives on the library's communicator. Bcast moves bytes; the reductions and the v-variants
// use the MPI datatype of the typed array, with counts and displacements in elements (mpi4py's).
// A send buffer that is the receive buffer (same memory) becomes MPI_IN_PLACE.
#include <string>

#include "mpi_common.h"

namespace dn {
namespace {

int SelfRank(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

int CommSize(MPI_Comm comm) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  return size;
}

// Bcast(buf, root)
Napi::Value Bcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer buf = GetBuffer(env, info[0], "buf");
  int root = GetRank(env, comm, info[1], "root");
  Check(env, MPI_Bcast(buf.data, ByteCount(env, buf, "buf"), MPI_BYTE, root, comm), "MPI_Bcast");
  return env.Undefined();
}

void CheckSameKind(Napi::Env env, const Buffer& a, const Buffer& b, bool sameLength) {
  if (a.type != b.type) {
    throw Napi::TypeError::New(env, "sendbuf and recvbuf must be typed arrays of the same type");
  }
  if (sameLength && a.length != b.length) {
    throw Napi::RangeError::New(env, "sendbuf and recvbuf must have the same length");
  }
}

// Allreduce(sendbuf, recvbuf, op)
Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer send = GetBuffer(env, info[0], "sendbuf");
  Buffer recv = GetBuffer(env, info[1], "recvbuf");
  CheckSameKind(env, send, recv, true);
  MPI_Op op = GetOp(env, info[2], recv.type);
  const void* from = send.data == recv.data ? MPI_IN_PLACE : send.data;
  Check(env,
        MPI_Allreduce(from, recv.data, ElementCount(env, recv, "recvbuf"), Datatype(recv.type), op,
                      comm),
        "MPI_Allreduce");
  return env.Undefined();
}

// Reduce(sendbuf, recvbuf, op, root): recvbuf matters at root only (null elsewhere).
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer send = GetBuffer(env, info[0], "sendbuf");
  int root = GetRank(env, comm, info[3], "root");
  MPI_Op op = GetOp(env, info[2], send.type);
  void* to = nullptr;
  const void* from = send.data;
  if (SelfRank(comm) == root) {
    Buffer recv = GetBuffer(env, info[1], "recvbuf");
    CheckSameKind(env, send, recv, true);
    to = recv.data;
    if (send.data == recv.data) from = MPI_IN_PLACE;
  }
  Check(env,
        MPI_Reduce(from, to, ElementCount(env, send, "sendbuf"), Datatype(send.type), op, root, comm),
        "MPI_Reduce");
  return env.Undefined();
}

// counts and displs (Int32Array of length size) describe `buf` at the root: block i is
// counts[i] elements at element displs[i], and every block must lie inside buf.
struct Layout {
  const int* counts;
  const int* displs;
};

Layout GetLayout(Napi::Env env, Napi::Value countsValue, Napi::Value displsValue, const Buffer& buf,
                 int size) {
  Buffer counts = GetBuffer(env, countsValue, "counts");
  Buffer displs = GetBuffer(env, displsValue, "displs");
  if (counts.type != napi_int32_array || displs.type != napi_int32_array) {
    throw Napi::TypeError::New(env, "counts and displs must be Int32Arrays");
  }
  if (counts.length != static_cast<size_t>(size) || displs.length != static_cast<size_t>(size)) {
    throw Napi::RangeError::New(env, "counts and displs must have one entry per rank");
  }
  const int* c = static_cast<const int*>(counts.data);
  const int* d = static_cast<const int*>(displs.data);
  for (int i = 0; i < size; i++) {
    if (c[i] < 0 || d[i] < 0 || static_cast<size_t>(d[i]) + c[i] > buf.length) {
      throw Napi::RangeError::New(env, "block " + std::to_string(i) + " lies outside the buffer");
    }
  }
  return {c, d};
}

// Gatherv(sendbuf, recvbuf, counts, displs, root): recvbuf, counts, displs matter at root only.
Napi::Value Gatherv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer send = GetBuffer(env, info[0], "sendbuf");
  int root = GetRank(env, comm, info[4], "root");
  int rank = SelfRank(comm);
  const void* from = send.data;
  void* to = nullptr;
  Layout layout{nullptr, nullptr};
  if (rank == root) {
    Buffer recv = GetBuffer(env, info[1], "recvbuf");
    CheckSameKind(env, send, recv, false);
    layout = GetLayout(env, info[2], info[3], recv, CommSize(comm));
    to = recv.data;
    if (send.data == recv.data) {
      from = MPI_IN_PLACE;  // the root's block is already at displs[root]
    } else if (static_cast<size_t>(layout.counts[rank]) != send.length) {
      throw Napi::RangeError::New(env, "counts[root] must equal the length of sendbuf");
    }
  }
  MPI_Datatype type = Datatype(send.type);
  Check(env,
        MPI_Gatherv(from, ElementCount(env, send, "sendbuf"), type, to, layout.counts,
                    layout.displs, type, root, comm),
        "MPI_Gatherv");
  return env.Undefined();
}

// Scatterv(sendbuf, counts, displs, recvbuf, root): sendbuf, counts, displs matter at root only.
Napi::Value Scatterv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MPI_Comm comm = Comm(env);
  Buffer recv = GetBuffer(env, info[3], "recvbuf");
  int root = GetRank(env, comm, info[4], "root");
  int rank = SelfRank(comm);
  const void* from = nullptr;
  void* to = recv.data;
  Layout layout{nullptr, nullptr};
  if (rank == root) {
    Buffer send = GetBuffer(env, info[0], "sendbuf");
    CheckSameKind(env, send, recv, false);
    layout = GetLayout(env, info[1], info[2], send, CommSize(comm));
    from = send.data;
    if (send.data == recv.data) {
      to = MPI_IN_PLACE;  // the root keeps its block where it is
    } else if (static_cast<size_t>(layout.counts[rank]) != recv.length) {
      throw Napi::RangeError::New(env, "counts[root] must equal the length of recvbuf");
    }
  }
  MPI_Datatype type = Datatype(recv.type);
  Check(env,
        MPI_Scatterv(from, layout.counts, layout.displs, type, to,
                     ElementCount(env, recv, "recvbuf"), type, root, comm),
        "MPI_Scatterv");
  return env.Undefined();
}

}  // namespace

void RegisterCollectives(Napi::Env env, Napi::Object exports) {
  exports.Set("Bcast", Napi::Function::New(env, Bcast, "Bcast"));
  exports.Set("Allreduce", Napi::Function::New(env, Allreduce, "Allreduce"));
  exports.Set("Reduce", Napi::Function::New(env, Reduce, "Reduce"));
  exports.Set("Gatherv", Napi::Function::New(env, Gatherv, "Gatherv"));
  exports.Set("Scatterv", Napi::Function::New(env, Scatterv, "Scatterv"));
}

}  // namespace dn
