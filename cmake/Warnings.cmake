# SPDX-License-Identifier: MIT
# One place for the warning policy: -Wall -Wextra -Wpedantic (GCC/Clang), /W4 /permissive- (MSVC),
# errors when WSKPORT_WERROR is on.
function(wskport_set_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive- /utf-8)
    if(WSKPORT_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(WSKPORT_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

# A static library that is also linked into the shared kernel runtime
# (wskport::km_runtime) must be position-independent. GCC's -fPIC would also make every
# global function interposable, which stops it from inlining them within a translation
# unit; -fno-semantic-interposition keeps the code the static programs get as it was
# (Clang does this by default). The shared runtime does not need interposition: its C++
# symbols are local to it.
function(wskport_set_linkable_into_shared target)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT WIN32)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANG_AND_ID:CXX,GNU>:-fno-semantic-interposition>)
  endif()
endfunction()
