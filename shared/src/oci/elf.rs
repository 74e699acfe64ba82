//! The ELF facts an image needs: the machine a binary is built for, and
//! whether it runs on an empty filesystem (no program interpreter, no
//! shared libraries).

/// What an ELF file says of itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elf {
    /// `e_machine`.
    pub machine: u16,
    /// Whether it names a program interpreter (`PT_INTERP`): dynamically
    /// linked, so it needs the interpreter and its libraries in the image.
    pub dynamic: bool,
}

impl Elf {
    /// The OCI architecture of the machine (`amd64`, `arm64`, …).
    pub fn architecture(&self) -> Option<&'static str> {
        Some(match self.machine {
            62 => "amd64",
            183 => "arm64",
            40 => "arm",
            3 => "386",
            243 => "riscv64",
            21 => "ppc64le",
            22 => "s390x",
            _ => return None,
        })
    }
}

/// Read the header and program headers of `bytes`; `None` when it is not
/// an ELF file this reader understands.
pub fn read(bytes: &[u8]) -> Option<Elf> {
    if bytes.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match bytes.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let le = *bytes.get(5)? == 1;
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let u64_at = |at: usize| -> Option<u64> {
        let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
        Some(if le {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    };
    let machine = u16_at(18)?;
    let (phoff, phentsize, phnum) = if wide {
        (usize::try_from(u64_at(32)?).ok()?, u16_at(54)?, u16_at(56)?)
    } else {
        (u32_at(28)? as usize, u16_at(42)?, u16_at(44)?)
    };
    let mut dynamic = false;
    for i in 0..usize::from(phnum) {
        let at = phoff.checked_add(i.checked_mul(usize::from(phentsize))?)?;
        if u32_at(at)? == 3 {
            dynamic = true;
        }
    }
    Some(Elf { machine, dynamic })
}

/// A minimal static ELF executable for `machine` (64-bit little-endian:
/// a header and one empty `PT_LOAD`), for tests of platforms this machine
/// cannot build for.
pub fn minimal(machine: u16) -> Vec<u8> {
    let mut b = vec![0u8; 64 + 56];
    b[..4].copy_from_slice(b"\x7fELF");
    b[4] = 2; // 64-bit
    b[5] = 1; // little-endian
    b[6] = 1; // version
    b[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    b[18..20].copy_from_slice(&machine.to_le_bytes());
    b[20..24].copy_from_slice(&1u32.to_le_bytes());
    b[24..32].copy_from_slice(&0x40_0000u64.to_le_bytes()); // entry
    b[32..40].copy_from_slice(&64u64.to_le_bytes()); // phoff
    b[52..54].copy_from_slice(&64u16.to_le_bytes()); // ehsize
    b[54..56].copy_from_slice(&56u16.to_le_bytes()); // phentsize
    b[56..58].copy_from_slice(&1u16.to_le_bytes()); // phnum
    b[64..68].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    b[68..72].copy_from_slice(&5u32.to_le_bytes()); // R+X
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_and_interpreters() {
        let arm = read(&minimal(183)).unwrap();
        assert_eq!((arm.architecture(), arm.dynamic), (Some("arm64"), false));
        let mut dynamic = minimal(62);
        dynamic[64..68].copy_from_slice(&3u32.to_le_bytes());
        let x = read(&dynamic).unwrap();
        assert_eq!((x.architecture(), x.dynamic), (Some("amd64"), true));
        assert_eq!(read(b"#!/bin/sh\n"), None);
        assert_eq!(read(&minimal(62)[..30]), None);
    }

    #[test]
    fn this_test_binary_is_read() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let elf = read(&me).unwrap();
        if cfg!(target_arch = "x86_64") {
            assert_eq!(elf.architecture(), Some("amd64"));
        }
    }
}
