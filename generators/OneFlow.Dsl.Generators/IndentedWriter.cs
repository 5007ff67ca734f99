using System;
using System.Text;

namespace OneFlow.Dsl.Generators
{
    /// <summary>Writes C# with indentation tracked by scopes; checks that every scope was closed.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _depth;

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary>Writes <paramref name="header"/>, then a braced block closed when the scope is disposed.</summary>
        public IDisposable Block(string header)
        {
            Line(header);
            Line("{");
            _depth++;
            return new Scope(this);
        }

        public override string ToString()
        {
            if (_depth != 0) throw new InvalidOperationException("Unbalanced block in generated code.");
            return _text.ToString();
        }

        private sealed class Scope : IDisposable
        {
            private readonly IndentedWriter _writer;
            public Scope(IndentedWriter writer) => _writer = writer;
            public void Dispose()
            {
                _writer._depth--;
                _writer.Line("}");
            }
        }
    }
}
