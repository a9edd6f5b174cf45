; Inno Setup 6 script: a per-user installer of the bundle that packaging\windows\build.ps1 built in
; dist\landcomp (no administrator rights asked), with a Start menu entry and an uninstaller.
; UNTESTED: no Windows machine was available when it was written (see README, "Install").
; build.ps1 passes the version: iscc /DAppVersion=0.1.0 packaging\windows\landcomp.iss

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=<version> landcomp.iss
#endif

[Setup]
AppId={{6F0C8E52-3B7A-4C1E-9A4D-2E5B7C1D8A30}
AppName=landcomp 征地拆迁补偿测算
AppVersion={#AppVersion}
AppPublisher=landcomp
DefaultDirName={localappdata}\Programs\landcomp
DefaultGroupName=landcomp
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=landcomp-{#AppVersion}-setup
SetupIconFile=landcomp.ico
UninstallDisplayIcon={app}\landcomp.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
; Chinese when this Inno Setup has the translation (newer releases ship it), English otherwise.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\..\dist\landcomp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\征地拆迁补偿测算"; Filename: "{app}\landcomp.exe"; Comment: "堡子片区征地拆迁补偿测算与五台县基准地价测算"
Name: "{autodesktop}\征地拆迁补偿测算"; Filename: "{app}\landcomp.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\landcomp.exe"; Description: "{cm:LaunchProgram,征地拆迁补偿测算}"; Flags: nowait postinstall skipifsilent
