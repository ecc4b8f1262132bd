/* main.c - the rvvnn command line: dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "rvvnn: not yet\n");
    return 2;
}
