# Writes silent.sf2: a valid SoundFont 2 whose one piano sample is all zeros (issue 13).
import struct, sys
def chunk(i, p): return i.encode() + struct.pack('<I', len(p)) + p + (b'\0' if len(p) % 2 else b'')
def lst(t, c): return chunk('LIST', t.encode() + c)
def name(s): return s.encode().ljust(20, b'\0')[:20]
smpl = b'\0\0' * 1046   # one sample of silence, with its 46 guard frames
info = lst('INFO', chunk('ifil', struct.pack('<HH', 2, 1)) + chunk('INAM', b'Silent Font\0'))
phdr = name('Silent Piano') + struct.pack('<HHHIII', 0, 0, 0, 0, 0, 0) + name('EOP') + struct.pack('<HHHIII', 0, 0, 1, 0, 0, 0)
pbag = struct.pack('<HHHH', 0, 0, 1, 0)
pgen = struct.pack('<HH', 41, 0) + struct.pack('<HH', 0, 0)
inst = name('Silent') + struct.pack('<H', 0) + name('EOI') + struct.pack('<H', 1)
ibag = struct.pack('<HHHH', 0, 0, 2, 0)
igen = struct.pack('<HH', 54, 1) + struct.pack('<HH', 53, 0) + struct.pack('<HH', 0, 0)
shdr = name('silent') + struct.pack('<IIIIIBbHH', 0, 1000, 200, 1000, 44100, 60, 0, 0, 1) + name('EOS') + b'\0' * 26
pdta = lst('pdta', chunk('phdr', phdr) + chunk('pbag', pbag) + chunk('pmod', b'\0' * 10) + chunk('pgen', pgen)
           + chunk('inst', inst) + chunk('ibag', ibag) + chunk('imod', b'\0' * 10) + chunk('igen', igen) + chunk('shdr', shdr))
body = b'sfbk' + info + lst('sdta', chunk('smpl', smpl)) + pdta
open(sys.argv[1], 'wb').write(b'RIFF' + struct.pack('<I', len(body)) + body)
