# Sourced by ./espalier and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Looks at JAVA_HOME, then `java` on PATH, then the usual install folders, newest first.
espalier_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
espalier_find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  local d
  for d in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home 2>/dev/null | sort -rV); do
    candidates+=("$d")
  done
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/javac" ] || continue
    local major; major=$(espalier_java_major "$d")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$d"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "espalier: no JDK 21 or newer found. Install one (e.g. Temurin 21) or set JAVA_HOME." >&2
  return 1
}
espalier_find_jdk
