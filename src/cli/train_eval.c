/* train_eval.c — placeholder entry points replaced as the model work lands. */
#include "cli.h"
#include <stdio.h>

int cmd_train(int argc, char **argv);

int cmd_train(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "humeur: train is not available in this build yet\n");
    return EXIT_USAGE;
}

