/*
 * restore.h — the C interface of RestoreKit (librestore.so).
 */
#ifndef RESTORE_H
#define RESTORE_H

#ifdef __cplusplus
extern "C" {
#endif

#define RESTORE_VERSION_MAJOR 0
#define RESTORE_VERSION_MINOR 1
#define RESTORE_VERSION_PATCH 0

/* The library's version, "major.minor.patch". Static storage: do not free. */
const char *restore_version(void);

#ifdef __cplusplus
}
#endif

#endif /* RESTORE_H */
