/* What gegl-op.h and glib/gi18n-lib.h expect from an out-of-tree operation. */
#define GETTEXT_PACKAGE "restorekit"
