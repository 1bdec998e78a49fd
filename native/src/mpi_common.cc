#include "mpi_common.h"

#include <atomic>
#include <climits>
#include <cmath>
#include <string>

namespace dn {

namespace {
// Written once by Init (and cleared by Finalize); read by any thread.
std::atomic<MPI_Comm> g_comm{MPI_COMM_NULL};
}  // namespace

MPI_Comm CommOrNull() { return g_comm.load(); }
void SetComm(MPI_Comm comm) { g_comm.store(comm); }

MPI_Comm Comm(Napi::Env env) {
  MPI_Comm comm = g_comm.load();
  if (comm == MPI_COMM_NULL) {
    throw Napi::Error::New(env, "MPI is not initialized (call Init() first) or already finalized");
  }
  return comm;
}

bool IsNullish(Napi::Value value) { return value.IsUndefined() || value.IsNull(); }

Buffer GetBuffer(Napi::Env env, Napi::Value value, const char* name) {
  Buffer buf;
  if (!value.IsTypedArray() ||
      napi_get_typedarray_info(env, value, &buf.type, &buf.length, &buf.data, nullptr, nullptr) !=
          napi_ok) {
    throw Napi::TypeError::New(env, std::string(name) + " must be a typed array");
  }
  buf.bytes = value.As<Napi::TypedArray>().ByteLength();
  return buf;
}

MPI_Datatype Datatype(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return MPI_SIGNED_CHAR;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return MPI_UNSIGNED_CHAR;
    case napi_int16_array: return MPI_SHORT;
    case napi_uint16_array: return MPI_UNSIGNED_SHORT;
    case napi_int32_array: return MPI_INT;
    case napi_uint32_array: return MPI_UNSIGNED;
    case napi_float32_array: return MPI_FLOAT;
    case napi_float64_array: return MPI_DOUBLE;
    case napi_bigint64_array: return MPI_INT64_T;
    case napi_biguint64_array: return MPI_UINT64_T;
    default: return MPI_BYTE;
  }
}

bool IsFloat(napi_typedarray_type type) {
  return type == napi_float32_array || type == napi_float64_array;
}

int ByteCount(Napi::Env env, const Buffer& buf, const char* name) {
  if (buf.bytes > static_cast<size_t>(INT_MAX)) {
    throw Napi::RangeError::New(env, std::string(name) + " is larger than 2^31-1 bytes");
  }
  return static_cast<int>(buf.bytes);
}

int ElementCount(Napi::Env env, const Buffer& buf, const char* name) {
  if (buf.length > static_cast<size_t>(INT_MAX)) {
    throw Napi::RangeError::New(env, std::string(name) + " has more than 2^31-1 elements");
  }
  return static_cast<int>(buf.length);
}

int GetInt(Napi::Env env, Napi::Value value, const char* name) {
  if (!value.IsNumber()) throw Napi::TypeError::New(env, std::string(name) + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= INT_MIN && d <= INT_MAX) || std::trunc(d) != d) {
    throw Napi::RangeError::New(env, std::string(name) + " must be a 32-bit integer");
  }
  return static_cast<int>(d);
}

int GetRank(Napi::Env env, MPI_Comm comm, Napi::Value value, const char* name) {
  int rank = GetInt(env, value, name);
  int size = 0;
  MPI_Comm_size(comm, &size);
  if (rank < 0 || rank >= size) {
    throw Napi::RangeError::New(env, std::string(name) + " must be a rank in [0, size)");
  }
  return rank;
}

MPI_Op GetOp(Napi::Env env, Napi::Value value, napi_typedarray_type type) {
  std::string op = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  // MPI defines the logical ops on integer types only.
  if ((op == "land" || op == "lor") && IsFloat(type)) {
    throw Napi::TypeError::New(env, "op '" + op + "' needs an integer typed array");
  }
  if (op == "sum") return MPI_SUM;
  if (op == "prod") return MPI_PROD;
  if (op == "min") return MPI_MIN;
  if (op == "max") return MPI_MAX;
  if (op == "land") return MPI_LAND;
  if (op == "lor") return MPI_LOR;
  throw Napi::TypeError::New(env, "op must be one of 'sum', 'prod', 'min', 'max', 'land', 'lor'");
}

Napi::Error MpiError(Napi::Env env, int code, const char* call) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) len = 0;
  int errorClass = code;
  MPI_Error_class(code, &errorClass);
  std::string message = std::string(call) + " failed: " +
                        (len > 0 ? std::string(text, len) : "MPI error " + std::to_string(code));
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Object error = data != nullptr && !data->errorClass.IsEmpty()
                           ? data->errorClass.New({Napi::String::New(env, message)})
                           : Napi::Error::New(env, message).Value();
  error.Set("code", "ERR_MPI");
  error.Set("mpiErrorClass", errorClass);
  error.Set("mpiCall", call);
  return Napi::Error(env, error);
}

Napi::Object StatusObject(Napi::Env env, int source, int tag, int count) {
  Napi::Object status = Napi::Object::New(env);
  status.Set("source", source);
  status.Set("tag", tag);
  status.Set("count", count);
  return status;
}

Napi::Object StatusObject(Napi::Env env, const MPI_Status& status) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  return StatusObject(env, status.MPI_SOURCE, status.MPI_TAG, count);
}

}  // namespace dn
