using System;
using System.IO;
using System.Linq;

/// <summary>The machine's load average, printed before a benchmark's figures: a figure taken while something else
/// ran (a build, another benchmark, spinning threads) says so.</summary>
internal static class LoadAverage
{
    public static string Line()
        => File.Exists("/proc/loadavg")
            ? "load average: " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
            : "load average: unknown (no /proc/loadavg here)";
}
