using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace OneFlow.Dsl
{
    /// <summary>A live progress bar for a training loop when the output is a terminal: one line redrawn in place,
    /// <c>[#########-----------]  45%  450/1000  loss 1.2345  0:42</c>. When the output is redirected it writes
    /// nothing, so that a log holds only the caller's own lines (and a sample's last line stays its last).</summary>
    public sealed class ProgressBar
    {
        private const int Width = 30;
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

        private readonly TextWriter _output;
        private readonly long _total;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan? _drawnAt;
        private int _drawnLength;

        /// <param name="total">The count at which the work is done, e.g. the steps of an epoch.</param>
        /// <param name="output">Where to draw; the console by default.</param>
        /// <param name="interactive">Whether to draw at all; by default, when the console output is not redirected.</param>
        public ProgressBar(long total, TextWriter? output = null, bool? interactive = null)
        {
            if (total <= 0) throw new ArgumentOutOfRangeException(nameof(total), $"A progress bar needs a positive total, not {total}.");
            _total = total;
            _output = output ?? Console.Out;
            Interactive = interactive ?? !Console.IsOutputRedirected;
        }

        /// <summary>True when the bar is drawn (the output is a terminal).</summary>
        public bool Interactive { get; }

        /// <summary>Shows <paramref name="done"/> of the total with a short status (the loss), redrawn at most ten
        /// times a second and always at the end.</summary>
        public void Report(long done, string status = "")
        {
            if (!Interactive || (_drawnAt is TimeSpan drawn && _clock.Elapsed - drawn < Interval && done < _total)) return;
            _drawnAt = _clock.Elapsed;
            double fraction = Math.Clamp((double)done / _total, 0, 1);
            int filled = (int)Math.Round(fraction * Width);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:F0}%  {done}/{_total}  {status}  {_clock.Elapsed:m\\:ss}");
            _output.Write("\r" + line.PadRight(_drawnLength));
            _drawnLength = line.Length;
            _output.Flush();
        }

        /// <summary>Writes a whole line above the bar (the bar is drawn again by the next report).</summary>
        public void WriteLine(string line)
        {
            Clear();
            _output.WriteLine(line);
        }

        /// <summary>Removes the bar, leaving the cursor at the start of an empty line.</summary>
        public void Clear()
        {
            if (!Interactive || _drawnLength == 0) return;
            _output.Write("\r" + new string(' ', _drawnLength) + "\r");
            _drawnLength = 0;
            _drawnAt = null;
            _output.Flush();
        }
    }
}
