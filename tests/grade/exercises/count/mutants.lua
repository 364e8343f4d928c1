return {
  { name = "off-by-one", check = "counts", file = "count.c",
    from = "i <= n;", to = "i < n;", why = "counts to N - 1" },
  { name = "no-newline", check = "counts", file = "count.c",
    from = '"%ld\\n"', to = '"%ld "', why = "prints on one line" },
  { name = "unused", check = "builds", file = "count.c",
    from = "\tlong n = 0;", to = "\tlong n = 0, unused;", why = "a warning" },
}
