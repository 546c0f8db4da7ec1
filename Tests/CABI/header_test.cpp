// The public header compiles as C++ (-Wall -Werror) and links.
#include <restore.h>

#include <cstdio>

int main() {
    restore_params params;
    restore_params_init(&params);
    std::printf("c++: librestore %s, status %s\n", restore_version(), restore_status_string(RESTORE_OK));
    return params.size == sizeof params ? 0 : 1;
}
