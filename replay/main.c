#include <stdio.h>
int main(void) { puts("qfs"); return 0; }
