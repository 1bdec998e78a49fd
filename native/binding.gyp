# Two independent addons: build.mjs builds each target alone (`node-gyp build dn_blas`), so a
# machine without OpenMPI still gets BLAS and the reverse. Flags come from flags.mjs, which
# prints nothing for a part it cannot find (that target then fails alone).
{
  # node-addon-api with C++ exceptions, set here rather than through its node_addon_api.gyp
  # dependency: gyp would write that file's makefiles into native/node_modules/.
  'target_defaults': {
    'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
    'defines': ['NAPI_VERSION=8', 'NAPI_CPP_EXCEPTIONS'],
    'cflags!': ['-fno-exceptions'],
    'cflags_cc!': ['-fno-exceptions'],
    'cflags_cc': ['-Wall', '-Wextra', '-Wno-unused-parameter'],
    'xcode_settings': {'GCC_ENABLE_CPP_EXCEPTIONS': 'YES'},
  },
  'targets': [
    {
      'target_name': 'dn_blas',
      'sources': ['src/blas.cc'],
      'cflags_cc': ['<!@(node flags.mjs blas cflags)'],
      'libraries': ['<!@(node flags.mjs blas libs)'],
    },
    {
      'target_name': 'dn_mpi',
      'sources': [
        'src/mpi_addon.cc',
        'src/mpi_common.cc',
        'src/mpi_p2p.cc',
        'src/mpi_request.cc',
        'src/mpi_collectives.cc',
        'src/mpi_async.cc',
      ],
      'cflags_cc': ['<!@(node flags.mjs mpi cflags)'],
      'libraries': ['<!@(node flags.mjs mpi libs)'],
    },
  ],
}
