/* Loads librestore.so with dlopen (as GEGL and Python do) and checks that the
   run-time version matches the header it was compiled against. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "restore.h"

#define STR2(x) #x
#define STR(x) STR2(x)

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        fprintf(stderr, "dlopen failed: %s\n", dlerror());
        return 1;
    }
    const char *(*version)(void) = (const char *(*)(void))dlsym(library, "restore_version");
    if (!version) {
        fprintf(stderr, "restore_version not exported: %s\n", dlerror());
        return 1;
    }
    const char *expected = STR(RESTORE_VERSION_MAJOR) "." STR(RESTORE_VERSION_MINOR) "."
                           STR(RESTORE_VERSION_PATCH);
    if (strcmp(version(), expected) != 0) {
        fprintf(stderr, "version %s, header says %s\n", version(), expected);
        return 1;
    }
    printf("dlopen: librestore %s loaded\n", version());
    dlclose(library);
    return 0;
}
