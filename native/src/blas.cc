// dn_blas: OpenBLAS cblas_{d,s}gemm and cblas_{d,s}gemv on typed arrays in place (zero copy, also over
// SharedArrayBuffer), row-major as NumPy's C order. lib/dist/blas.ts checks every argument with
// messages that name the values; the checks here only keep a direct caller from reading or
// writing out of bounds. The addon keeps no state, so every worker thread may load it.
#include <napi.h>
#include <cblas.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#ifndef OPENBLAS_CONFIG_H
// A netlib cblas.h does not declare OpenBLAS's extensions, but libopenblas exports them.
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}
#endif

namespace {

struct Matrix {
  void* data;
  size_t length;  // in elements
};

// napi_get_typedarray_info, not Napi::TypedArray::ArrayBuffer().Data(): the latter rejects a
// SharedArrayBuffer, the former gives the pointer into it directly.
Matrix GetMatrix(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type kind,
                 const char* name) {
  Napi::Env env = info.Env();
  Napi::Value v = info[i];
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!v.IsTypedArray() ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != kind) {
    throw Napi::TypeError::New(env, std::string(name) + " must be a " +
                                        (kind == napi_float64_array ? "Float64Array" : "Float32Array"));
  }
  return {data, length};
}

int64_t GetInt(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min) {
  Napi::Env env = info.Env();
  if (!info[i].IsNumber()) throw Napi::TypeError::New(env, std::string(name) + " must be a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(min) && d <= std::numeric_limits<int>::max()) ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    throw Napi::RangeError::New(env, std::string(name) + " must be an integer in [" +
                                         std::to_string(min) + ", 2^31-1]");
  }
  return static_cast<int64_t>(d);
}

double GetDouble(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

// A rows x cols row-major matrix at element offset `off` with leading dimension `ld` must lie
// inside the array: its last element is off + (rows-1)*ld + cols - 1.
void CheckFits(Napi::Env env, const char* name, const Matrix& m, int64_t off, int64_t ld,
               int64_t rows, int64_t cols) {
  if (ld < (cols > 1 ? cols : 1)) {
    throw Napi::RangeError::New(env, std::string("leading dimension of ") + name + " is too small");
  }
  if (rows == 0 || cols == 0) return;
  if (off + (rows - 1) * ld + cols > static_cast<int64_t>(m.length)) {
    throw Napi::RangeError::New(env, std::string(name) + " does not fit in its array");
  }
}

template <typename T>
void CallGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, T alpha, const T* A,
              int lda, const T* B, int ldb, T beta, T* C, int ldc);

template <>
void CallGemm<double>(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, double alpha,
                      const double* A, int lda, const double* B, int ldb, double beta, double* C,
                      int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <>
void CallGemm<float>(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, float alpha,
                     const float* A, int lda, const float* B, int ldb, float beta, float* C,
                     int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// A matrix (or vector) argument: the typed array at i, its element offset at i + 1 and its leading
// dimension (a vector's step) at i + 2.
struct Operand {
  Matrix m;
  int64_t off;
  int64_t ld;
};

Operand GetOperand(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type kind, const char* name,
                   const char* offName, const char* ldName) {
  return {GetMatrix(info, i, kind, name), GetInt(info, i + 1, offName, 0), GetInt(info, i + 2, ldName, 1)};
}

// (transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc)
template <typename T, napi_typedarray_type Kind>
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 16) throw Napi::TypeError::New(env, "gemm takes 16 arguments");
  bool transA = info[0].ToBoolean();
  bool transB = info[1].ToBoolean();
  int64_t M = GetInt(info, 2, "M", 0), N = GetInt(info, 3, "N", 0), K = GetInt(info, 4, "K", 0);
  double alpha = GetDouble(info, 5, "alpha");
  Operand A = GetOperand(info, 6, Kind, "A", "offA", "lda");
  Operand B = GetOperand(info, 9, Kind, "B", "offB", "ldb");
  double beta = GetDouble(info, 12, "beta");
  Operand C = GetOperand(info, 13, Kind, "C", "offC", "ldc");

  CheckFits(env, "A", A.m, A.off, A.ld, transA ? K : M, transA ? M : K);
  CheckFits(env, "B", B.m, B.off, B.ld, transB ? N : K, transB ? K : N);
  CheckFits(env, "C", C.m, C.off, C.ld, M, N);
  if (M == 0 || N == 0) return env.Undefined();

  CallGemm<T>(transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), static_cast<T>(alpha),
              static_cast<const T*>(A.m.data) + A.off, static_cast<int>(A.ld),
              static_cast<const T*>(B.m.data) + B.off, static_cast<int>(B.ld), static_cast<T>(beta),
              static_cast<T*>(C.m.data) + C.off, static_cast<int>(C.ld));
  return env.Undefined();
}

template <typename T>
void CallGemv(CBLAS_TRANSPOSE t, int M, int N, T alpha, const T* A, int lda, const T* x, int incX, T beta, T* y,
              int incY);

template <>
void CallGemv<double>(CBLAS_TRANSPOSE t, int M, int N, double alpha, const double* A, int lda, const double* x,
                      int incX, double beta, double* y, int incY) {
  cblas_dgemv(CblasRowMajor, t, M, N, alpha, A, lda, x, incX, beta, y, incY);
}

template <>
void CallGemv<float>(CBLAS_TRANSPOSE t, int M, int N, float alpha, const float* A, int lda, const float* x,
                     int incX, float beta, float* y, int incY) {
  cblas_sgemv(CblasRowMajor, t, M, N, alpha, A, lda, x, incX, beta, y, incY);
}

// y = alpha * op(A) x + beta * y for a row-major M x N matrix A (op(A) is A, or A' when trans).
// (trans, M, N, alpha, A, offA, lda, x, offX, incX, beta, y, offY, incY); steps must be positive.
template <typename T, napi_typedarray_type Kind>
Napi::Value Gemv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 14) throw Napi::TypeError::New(env, "gemv takes 14 arguments");
  bool trans = info[0].ToBoolean();
  int64_t M = GetInt(info, 1, "M", 0), N = GetInt(info, 2, "N", 0);
  double alpha = GetDouble(info, 3, "alpha");
  Operand A = GetOperand(info, 4, Kind, "A", "offA", "lda");
  Operand X = GetOperand(info, 7, Kind, "x", "offX", "incX");
  double beta = GetDouble(info, 10, "beta");
  Operand Y = GetOperand(info, 11, Kind, "y", "offY", "incY");
  int64_t lenX = trans ? M : N, lenY = trans ? N : M;
  CheckFits(env, "A", A.m, A.off, A.ld, M, N);
  // A vector of length n with step inc is an n x 1 matrix with leading dimension inc.
  CheckFits(env, "x", X.m, X.off, X.ld, lenX, 1);
  CheckFits(env, "y", Y.m, Y.off, Y.ld, lenY, 1);
  if (lenY == 0) return env.Undefined();
  if (lenX == 0) {
    // An empty sum: y = beta * y, which BLAS's quick return skips. beta 0 sets y whatever it held.
    T* y = static_cast<T*>(Y.m.data) + Y.off;
    for (int64_t i = 0; i < lenY; i++) y[i * Y.ld] = beta == 0 ? T(0) : static_cast<T>(beta * y[i * Y.ld]);
    return env.Undefined();
  }
  CallGemv<T>(trans ? CblasTrans : CblasNoTrans, static_cast<int>(M), static_cast<int>(N), static_cast<T>(alpha),
              static_cast<const T*>(A.m.data) + A.off, static_cast<int>(A.ld),
              static_cast<const T*>(X.m.data) + X.off, static_cast<int>(X.ld), static_cast<T>(beta),
              static_cast<T*>(Y.m.data) + Y.off, static_cast<int>(Y.ld));
  return env.Undefined();
}

// The thread count is process-wide in OpenBLAS: every thread that loaded the addon shares it.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  openblas_set_num_threads(static_cast<int>(GetInt(info, 0, "n", 1)));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

Napi::Value Config(const Napi::CallbackInfo& info) {
  const char* config = openblas_get_config();
  return Napi::String::New(info.Env(), config ? config : "");
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("dgemm", Napi::Function::New(env, Gemm<double, napi_float64_array>, "dgemm"));
  exports.Set("sgemm", Napi::Function::New(env, Gemm<float, napi_float32_array>, "sgemm"));
  exports.Set("dgemv", Napi::Function::New(env, Gemv<double, napi_float64_array>, "dgemv"));
  exports.Set("sgemv", Napi::Function::New(env, Gemv<float, napi_float32_array>, "sgemv"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("config", Napi::Function::New(env, Config, "config"));
  return exports;
}

}  // namespace

NODE_API_MODULE(dn_blas, Init)
