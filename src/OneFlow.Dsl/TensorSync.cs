namespace OneFlow.Dsl
{
    /// <summary>Something that holds a copy of a weight in device memory (a training or inference session).</summary>
    internal interface IWeightHolder
    {
        /// <summary>Copies the holder's current value of <paramref name="weight"/> into <paramref name="host"/>.</summary>
        void CopyOut(Tensor weight, float[] host);
    }

    /// <summary>A weight may be newer on a device than on the host: the host copy is refreshed only when read.
    /// Every change bumps <see cref="_version"/>; each holder remembers the version it has.</summary>
    public sealed partial class Tensor
    {
        private int _version, _hostVersion;
        private IWeightHolder? _owner;

        internal int Version => _version;

        /// <summary>The host values, fetched from the device that changed them last if they are stale.</summary>
        internal float[] Host
        {
            get
            {
                if (_hostVersion != _version)
                {
                    _owner!.CopyOut(this, _data!);
                    _hostVersion = _version;
                }
                return _data ?? throw new System.ArgumentException($"Expected a float tensor but got integer labels {ShapeText}.");
            }
        }

        /// <summary>Replaces the values (a loaded checkpoint); every device copy is stale from now on.</summary>
        internal void Assign(float[] values)
        {
            values.CopyTo(_data!, 0);
            HostChanged();
        }

        /// <summary>Gives a float tensor another shape and values (a network's weight sized at run time, before any plan
        /// holds it): whatever refers to the tensor sees them.</summary>
        internal void Replace(Tensor value)
        {
            if (IsInteger || value.IsInteger) throw new System.ArgumentException("Only float tensors are resized.");
            _shape = (int[])value._shape.Clone();
            _data = (float[])value.Host.Clone();
            HostChanged();
        }

        /// <summary>Records that the host values were changed in place (an eager optimizer step).</summary>
        internal void HostChanged()
        {
            _version++;
            _hostVersion = _version;
            _owner = null;
        }

        /// <summary>Records that <paramref name="holder"/> changed the value on its devices; returns the new version.</summary>
        internal int ChangedBy(IWeightHolder holder)
        {
            _version++;
            _owner = holder;
            return _version;
        }
    }
}
