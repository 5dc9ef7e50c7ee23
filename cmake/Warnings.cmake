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
