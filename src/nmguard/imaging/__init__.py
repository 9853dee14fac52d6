"""Reading patient studies: DICOM file I/O, NM geometry, SPECT/CT studies, registration, VOIs. Pure layer, no Django."""
